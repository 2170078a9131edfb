/*
 * Unit tests of the wire and output formats of the control plane: protobuf
 * round trips of requests and responses, the frame header and blocking frame
 * I/O (ctl/common/frame.c), and the exact JSON shapes dpvsctl prints
 * (ctl/common/fmt.c). Plain memory, no EAL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <check.h>

#include "ctl/common/cli.h"
#include "ctl/common/escape.h"
#include "ctl/common/fmt.h"
#include "ctl/common/frame.h"
#include "ctl/common/pb.h"
#include "ctl/common/version.h"

static const char *const commands[][6] = {
	{ "addr", "add", "10.0.0.1/24", "dev", "dpdk0", NULL },
	{ "addr", "del", "2001:db8::5", "dev", "dpdk1", NULL },
	{ "addr", "show", "dev", "dpdk0", NULL },
	{ "neigh", "show", NULL },
	{ "stats", NULL },
	{ "worker", "show", NULL },
	{ "version", NULL },
};

START_TEST(test_request_round_trip)
{
	struct ctl_cli_cmd cmd;
	Dpvs__Request *back;
	uint8_t *buf, *buf2;
	size_t len, len2;
	char err[256];
	int argc = 0;

	while (commands[_i][argc] != NULL)
		argc++;
	ck_assert_int_eq(ctl_cli_parse(argc, (char *const *)commands[_i], &cmd, err, sizeof(err)),
			 CTL_CLI_OK);
	buf = ctl_pb_pack_request(cmd.req, &len);
	ck_assert_ptr_nonnull(buf);
	back = dpvs__request__unpack(NULL, len, buf);
	ck_assert_ptr_nonnull(back);
	ck_assert_int_eq(back->op_case, cmd.req->op_case);
	/* packing the decoded message gives the same bytes */
	buf2 = ctl_pb_pack_request(back, &len2);
	ck_assert_uint_eq(len2, len);
	ck_assert_mem_eq(buf2, buf, len);
	if (back->op_case == DPVS__REQUEST__OP_ADDR_DEL) {
		ck_assert_str_eq(back->addr_del->dev, "dpdk1");
		ck_assert_uint_eq(back->addr_del->prefixlen, 128);
		ck_assert_uint_eq(back->addr_del->address->addr.len, 16);
	}
	free(buf);
	free(buf2);
	dpvs__request__free_unpacked(back, NULL);
	ctl_cli_cmd_free(&cmd);
}
END_TEST

static Dpvs__Counter *
counter(const char *name, uint64_t v)
{
	Dpvs__Counter *c = ctl_pb_alloc(sizeof(*c));

	dpvs__counter__init(c);
	c->name = ctl_pb_strdup(name);
	c->value = v;
	return c;
}

/* A stats response with one port, one worker and two drop reasons. */
static Dpvs__Response *
stats_response(void)
{
	Dpvs__Response *r = ctl_pb_response(DPVS__STATUS__OK, NULL);
	Dpvs__Stats *s = ctl_pb_alloc(sizeof(*s));
	Dpvs__PortStats *p = ctl_pb_alloc(sizeof(*p));
	Dpvs__WorkerStats *w = ctl_pb_alloc(sizeof(*w));

	dpvs__stats__init(s);
	dpvs__port_stats__init(p);
	dpvs__worker_stats__init(w);
	p->name = ctl_pb_strdup("dpdk0");
	p->ipackets = 10;
	p->opackets = 9;
	p->ibytes = 1000;
	p->obytes = 900;
	p->imissed = 1;
	p->ierrors = 2;
	p->kni_to_kernel = 3;
	p->stats_ok = true;
	w->id = 0;
	w->rx_pkts = 10;
	w->tx_pkts = 9;
	*(Dpvs__Counter **)ctl_pb_append(&w->verdicts, &w->n_verdicts, sizeof(void *)) =
		counter("tx", 9);
	*(Dpvs__Counter **)ctl_pb_append(&w->drops, &w->n_drops, sizeof(void *)) =
		counter("otherhost", 1);
	*(Dpvs__PortStats **)ctl_pb_append(&s->ports, &s->n_ports, sizeof(void *)) = p;
	*(Dpvs__WorkerStats **)ctl_pb_append(&s->workers, &s->n_workers, sizeof(void *)) = w;
	*(Dpvs__Counter **)ctl_pb_append(&s->drops, &s->n_drops, sizeof(void *)) =
		counter("otherhost", 1);
	*(Dpvs__Counter **)ctl_pb_append(&s->drops, &s->n_drops, sizeof(void *)) =
		counter("ip_bad_csum", 0);
	*(Dpvs__Counter **)ctl_pb_append(&w->events, &w->n_events, sizeof(void *)) =
		counter("frag_ok", 2);
	*(Dpvs__Counter **)ctl_pb_append(&s->events, &s->n_events, sizeof(void *)) =
		counter("frag_ok", 2);
	s->mbufs_total = 4096;
	s->mbufs_in_use = 17;
	r->stats = s;
	r->payload_case = DPVS__RESPONSE__PAYLOAD_STATS;
	return r;
}

START_TEST(test_response_round_trip)
{
	Dpvs__Response *r = stats_response(), *back;
	size_t len;
	uint8_t *buf = ctl_pb_pack_response(r, &len);

	back = dpvs__response__unpack(NULL, len, buf);
	ck_assert_ptr_nonnull(back);
	ck_assert_int_eq(back->status, DPVS__STATUS__OK);
	ck_assert_int_eq(back->payload_case, DPVS__RESPONSE__PAYLOAD_STATS);
	ck_assert_uint_eq(back->stats->n_ports, 1);
	ck_assert_str_eq(back->stats->ports[0]->name, "dpdk0");
	ck_assert_uint_eq(back->stats->ports[0]->imissed, 1);
	ck_assert_uint_eq(back->stats->workers[0]->verdicts[0]->value, 9);
	ck_assert_uint_eq(back->stats->n_drops, 2);
	ck_assert_str_eq(back->stats->drops[1]->name, "ip_bad_csum");
	free(buf);
	dpvs__response__free_unpacked(back, NULL);
	dpvs__response__free_unpacked(r, NULL);

	r = ctl_pb_response(DPVS__STATUS__ERR_EXISTS, "10.0.0.1 is already on dpdk0");
	buf = ctl_pb_pack_response(r, &len);
	back = dpvs__response__unpack(NULL, len, buf);
	ck_assert_int_eq(back->status, DPVS__STATUS__ERR_EXISTS);
	ck_assert_str_eq(back->message, "10.0.0.1 is already on dpdk0");
	ck_assert_int_eq(back->payload_case, DPVS__RESPONSE__PAYLOAD__NOT_SET);
	ck_assert_str_eq(ctl_pb_status_name(back->status), "ERR_EXISTS");
	free(buf);
	dpvs__response__free_unpacked(back, NULL);
	dpvs__response__free_unpacked(r, NULL);
}
END_TEST

START_TEST(test_escape)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "no port named dpdk0", "no port named dpdk0" },
		{ "dpdk0\n-A -t 1.2.3.4:80", "dpdk0\\n-A -t 1.2.3.4:80" },
		{ "a\r\tb", "a\\r\\tb" },
		{ "\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m" },
		{ "del\x7f", "del\\x7f" },
		{ "\xc3\xa9\xc2\x9b", "\\xc3\\xa9\\xc2\\x9b" },  /* UTF-8, C1 CSI */
		{ "back\\slash", "back\\slash" },                  /* printable: kept */
		{ "", "" },
	};
	char out[128], again[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_str_eq(ctl_escape(cases[i].in, out, sizeof(out)), cases[i].out);
		ck_assert_uint_eq(ctl_escape_len(cases[i].in), strlen(cases[i].out) + 1);
		/* escaping twice changes nothing */
		ck_assert_str_eq(ctl_escape(out, again, sizeof(again)), out);
	}
	/* cut short, never in the middle of an escape, always terminated */
	ck_assert_str_eq(ctl_escape("ab\ncd", out, 4), "ab");
	ck_assert_str_eq(ctl_escape("ab\ncd", out, 5), "ab\\n");
	ck_assert_str_eq(ctl_escape(NULL, out, sizeof(out)), "");
}
END_TEST

/* Pack a request made by dpvsctl's parser, then turn every 'X' in its bytes
 * into a NUL (no C string can carry one). */
static uint8_t *
pack_with_nul(int argc, char *const *argv, size_t *len)
{
	struct ctl_cli_cmd cmd;
	char err[256];
	uint8_t *buf;
	size_t i;

	ck_assert_int_eq(ctl_cli_parse(argc, argv, &cmd, err, sizeof(err)), CTL_CLI_OK);
	buf = ctl_pb_pack_request(cmd.req, len);
	ck_assert_ptr_nonnull(buf);
	ctl_cli_cmd_free(&cmd);
	for (i = 0; i < *len; i++)
		if (buf[i] == 'X')
			buf[i] = 0;
	return buf;
}

START_TEST(test_find_nul)
{
	char *addr_nul[] = { "addr", "add", "10.0.0.0/24", "dev", "dpdk0Xevil" };
	char *addr_ok[] = { "addr", "add", "10.0.0.0/24", "dev", "dpdk0" };
	char *laddr_nul[] = { "laddr", "add", "-t", "10.0.0.100:80", "10.1.0.10", "dev", "dpdk1Xz" };
	Dpvs__Request *req;
	uint8_t *buf;
	size_t len;

	/* protobuf-c decodes it, and the C string is cut at the NUL */
	buf = pack_with_nul(5, addr_nul, &len);
	req = dpvs__request__unpack(NULL, len, buf);
	ck_assert_ptr_nonnull(req);
	ck_assert_str_eq(req->addr_add->dev, "dpdk0");
	dpvs__request__free_unpacked(req, NULL);
	ck_assert_str_eq(ctl_pb_find_nul(&dpvs__request__descriptor, buf, len, 0), "dev");
	free(buf);
	/* an address's bytes (10.0.0.0) hold NULs: bytes, not text */
	buf = pack_with_nul(5, addr_ok, &len);
	ck_assert_ptr_null(ctl_pb_find_nul(&dpvs__request__descriptor, buf, len, 0));
	free(buf);
	/* in a message two levels down */
	buf = pack_with_nul(7, laddr_nul, &len);
	ck_assert_str_eq(ctl_pb_find_nul(&dpvs__request__descriptor, buf, len, 0), "dev");
	free(buf);
}
END_TEST

START_TEST(test_response_message_escaped)
{
	Dpvs__Response *r = ctl_pb_response(DPVS__STATUS__ERR_NOT_FOUND,
					    "no port named a\nOK\x1b[2J");

	ck_assert_str_eq(r->message, "no port named a\\nOK\\x1b[2J");
	dpvs__response__free_unpacked(r, NULL);
}
END_TEST

START_TEST(test_garbage_does_not_decode)
{
	const uint8_t junk[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f };

	ck_assert_ptr_null(dpvs__request__unpack(NULL, sizeof(junk), junk));
}
END_TEST

START_TEST(test_frame_header)
{
	uint8_t h[CTL_FRAME_HDR];

	ctl_frame_put_len(h, 0x01020304u);
	ck_assert_uint_eq(h[0], 1);
	ck_assert_uint_eq(h[3], 4);
	ck_assert_uint_eq(ctl_frame_get_len(h), 0x01020304u);
}
END_TEST

START_TEST(test_frame_io)
{
	const uint8_t msg[] = "hello";
	uint8_t big[CTL_FRAME_HDR], *buf;
	size_t len;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(ctl_frame_send(sv[0], msg, sizeof(msg), 1000), 0);
	ck_assert_int_eq(ctl_frame_recv(sv[1], &buf, &len, 64, 1000), 0);
	ck_assert_uint_eq(len, sizeof(msg));
	ck_assert_mem_eq(buf, msg, sizeof(msg));
	free(buf);
	/* nothing to read: bounded wait */
	ck_assert_int_eq(ctl_frame_recv(sv[1], &buf, &len, 64, 20), -ETIMEDOUT);
	/* a length above the limit */
	ctl_frame_put_len(big, 65);
	ck_assert_int_eq(write(sv[0], big, sizeof(big)), (ssize_t)sizeof(big));
	ck_assert_int_eq(ctl_frame_recv(sv[1], &buf, &len, 64, 1000), -EMSGSIZE);
	close(sv[0]);
	ck_assert_int_eq(ctl_frame_recv(sv[1], &buf, &len, 64, 1000), -ECONNRESET);
	close(sv[1]);
	ck_assert_int_lt(ctl_frame_connect("/nonexistent/ctl.sock"), 0);
}
END_TEST

/* ctl_fmt_response's output of r. free() it. */
static char *
output_of(const Dpvs__Response *r, bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ctl_fmt_response(f, r, json);
	fclose(f);
	return text;
}

/* Format r and compare with want. */
static void
expect_output(const Dpvs__Response *r, bool json, const char *want)
{
	char *text = output_of(r, json);

	ck_assert_str_eq(text, want);
	free(text);
}

START_TEST(test_json_stats)
{
	Dpvs__Response *r = stats_response();

	expect_output(r, true,
		      "{\"ports\":[{\"name\":\"dpdk0\",\"ipackets\":10,\"opackets\":9,"
		      "\"ibytes\":1000,\"obytes\":900,\"imissed\":1,\"ierrors\":2,\"oerrors\":0,"
		      "\"rx_nombuf\":0,\"kni\":{\"to_kernel\":3,\"from_kernel\":0,"
		      "\"to_kernel_drop\":0,\"from_kernel_drop\":0},\"stats_ok\":true}],"
		      "\"workers\":[{\"id\":0,\"rx_pkts\":10,\"rx_bytes\":0,\"tx_pkts\":9,"
		      "\"tx_bytes\":0,\"from_kernel\":0,\"arp_ring_in\":0,\"loops\":0,"
		      "\"busy_loops\":0,\"verdicts\":{\"tx\":9},\"drops\":{\"otherhost\":1},"
		      "\"events\":{\"frag_ok\":2},\"hook_drops\":{}}],"
		      "\"drops\":{\"otherhost\":1,\"ip_bad_csum\":0},\"events\":{\"frag_ok\":2},\"hook_drops\":{},"
		      "\"mbufs\":{\"total\":4096,\"in_use\":17,\"cache_drops\":0,\"cache_dropped\":0,\"cache_off\":false}}\n");
	dpvs__response__free_unpacked(r, NULL);
}
END_TEST

/* A name that is a JSON key (a counter's, a timeout's, a rate's meter) is
 * not UTF-8: it is repaired as a string value is. jansson refused the key
 * and dpvsctl aborted (found by fuzz_ctl's resp mode under ASan). */
START_TEST(test_json_key_not_utf8)
{
	Dpvs__Response *r = stats_response();
	char *text;

	free(r->stats->drops[0]->name);
	r->stats->drops[0]->name = ctl_pb_strdup("other\xffhost");
	text = output_of(r, true);
	ck_assert_ptr_nonnull(strstr(text, "\"drops\":{\"other\xef\xbf\xbdhost\":1,"));
	free(text);
	dpvs__response__free_unpacked(r, NULL);
}
END_TEST

/* A local address without its service key (the daemon always sends one)
 * prints with an empty one. dpvsctl read through the NULL pointer (found by
 * fuzz_ctl's resp mode). */
START_TEST(test_laddr_without_service)
{
	const uint8_t v4[4] = { 10, 1, 0, 10 };
	Dpvs__Response *r = ctl_pb_response(DPVS__STATUS__OK, NULL);
	Dpvs__LaddrList *l = ctl_pb_alloc(sizeof(*l));
	Dpvs__Laddr *a = ctl_pb_alloc(sizeof(*a));
	char *text;

	dpvs__laddr_list__init(l);
	dpvs__laddr__init(a);
	a->address = ctl_pb_ip(4, v4);
	a->dev = ctl_pb_strdup("dpdk1");
	*(Dpvs__Laddr **)ctl_pb_append(&l->laddrs, &l->n_laddrs, sizeof(void *)) = a;
	r->laddrs = l;
	r->payload_case = DPVS__RESPONSE__PAYLOAD_LADDRS;
	text = output_of(r, false);
	ck_assert_ptr_nonnull(strstr(text, "10.1.0.10 dev dpdk1"));
	free(text);
	text = output_of(r, true);
	ck_assert_ptr_nonnull(strstr(text, "\"vip\":\"?\",\"port\":0,\"address\":\"10.1.0.10\""));
	free(text);
	dpvs__response__free_unpacked(r, NULL);
}
END_TEST

static Dpvs__Response *
addr_response(void)
{
	const uint8_t v4[4] = { 10, 0, 0, 1 }, v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	Dpvs__Response *r = ctl_pb_response(DPVS__STATUS__OK, NULL);
	Dpvs__AddrList *l = ctl_pb_alloc(sizeof(*l));
	Dpvs__Addr *a;
	int i;

	dpvs__addr_list__init(l);
	for (i = 0; i < 2; i++) {
		a = ctl_pb_alloc(sizeof(*a));
		dpvs__addr__init(a);
		a->address = i == 0 ? ctl_pb_ip(4, v4) : ctl_pb_ip(6, v6);
		a->prefixlen = i == 0 ? 24 : 64;
		a->dev = ctl_pb_strdup(i == 0 ? "dpdk0" : "we\"ird");
		*(Dpvs__Addr **)ctl_pb_append(&l->addrs, &l->n_addrs, sizeof(void *)) = a;
	}
	r->addrs = l;
	r->payload_case = DPVS__RESPONSE__PAYLOAD_ADDRS;
	return r;
}

START_TEST(test_json_addr)
{
	Dpvs__Response *r = addr_response();

	expect_output(r, true,
		      "[{\"address\":\"10.0.0.1\",\"prefixlen\":24,\"dev\":\"dpdk0\","
		      "\"family\":\"inet\"},{\"address\":\"2001:db8::1\",\"prefixlen\":64,"
		      "\"dev\":\"we\\\"ird\",\"family\":\"inet6\"}]\n");
	expect_output(r, false,
		      "inet 10.0.0.1/24 dev dpdk0\ninet6 2001:db8::1/64 dev we\"ird\n");
	dpvs__response__free_unpacked(r, NULL);
}
END_TEST

START_TEST(test_port_show)
{
	Dpvs__Response *r = ctl_pb_response(DPVS__STATUS__OK, NULL);
	Dpvs__PortList *l = ctl_pb_alloc(sizeof(*l));
	Dpvs__PortInfo *p = ctl_pb_alloc(sizeof(*p));

	dpvs__port_list__init(l);
	dpvs__port_info__init(p);
	p->name = ctl_pb_strdup("dpdk0");
	p->kni = ctl_pb_strdup("dpdk0.kni");
	p->mtu = 1500;
	p->forward = true;
	p->mac.data = ctl_pb_alloc(6);
	memcpy(p->mac.data, "\x02\x00\x00\x00\x00\x01", 6);
	p->mac.len = 6;
	p->forward2kni = true;
	p->kni_ctrl_rate = 20000;
	p->kni_mgmt_rate = 5000;
	p->kni_rate = 0;
	p->kni_priority = ctl_pb_strdup("tcp:22,icmp");
	*(Dpvs__PortInfo **)ctl_pb_append(&l->ports, &l->n_ports, sizeof(void *)) = p;
	r->ports = l;
	r->payload_case = DPVS__RESPONSE__PAYLOAD_PORTS;
	expect_output(r, false, "dpdk0 mtu 1500 lladdr 02:00:00:00:00:01 kni dpdk0.kni forward on "
			 "forward2kni on kni_ctrl_rate 20000 kni_mgmt_rate 5000 kni_rate 0 "
			 "kni_priority tcp:22,icmp\n");
	expect_output(r, true, "[{\"name\":\"dpdk0\",\"mtu\":1500,\"lladdr\":\"02:00:00:00:00:01\","
			       "\"kni\":\"dpdk0.kni\",\"forward\":true,\"forward2kni\":true,"
			       "\"kni_ctrl_rate\":20000,\"kni_mgmt_rate\":5000,\"kni_rate\":0,"
			       "\"kni_priority\":\"tcp:22,icmp\"}]\n");
	dpvs__response__free_unpacked(r, NULL);
}
END_TEST

/* Two neighbours of 10.0.0.2: a reachable one on dpdk0 that workers 0 and 1
 * use, one asked for on dpdk1, no MAC yet. */
static Dpvs__NeighList *
two_neighs(void)
{
	const uint8_t ip[4] = { 10, 0, 0, 2 }, mac[6] = { 2, 0, 0, 0, 0xaa, 1 };
	Dpvs__NeighList *nl;
	Dpvs__Neigh *n;

	nl = ctl_pb_alloc(sizeof(*nl));
	n = ctl_pb_alloc(sizeof(*n));
	dpvs__neigh_list__init(nl);
	dpvs__neigh__init(n);
	n->address = ctl_pb_ip(4, ip);
	n->lladdr.data = ctl_pb_alloc(6);
	memcpy(n->lladdr.data, mac, 6);
	n->lladdr.len = 6;
	n->dev = ctl_pb_strdup("dpdk0");
	n->state = ctl_pb_strdup("reachable");
	n->age_ms = 12999;
	*(uint32_t *)ctl_pb_append(&n->workers, &n->n_workers, sizeof(uint32_t)) = 0;
	*(uint32_t *)ctl_pb_append(&n->workers, &n->n_workers, sizeof(uint32_t)) = 1;
	*(Dpvs__Neigh **)ctl_pb_append(&nl->neighs, &nl->n_neighs, sizeof(void *)) = n;
	n = ctl_pb_alloc(sizeof(*n));                /* asked for, no MAC yet */
	dpvs__neigh__init(n);
	n->address = ctl_pb_ip(4, ip);
	n->dev = ctl_pb_strdup("dpdk1");
	n->state = ctl_pb_strdup("incomplete");
	n->age_ms = 500;
	*(uint32_t *)ctl_pb_append(&n->workers, &n->n_workers, sizeof(uint32_t)) = 1;
	*(Dpvs__Neigh **)ctl_pb_append(&nl->neighs, &nl->n_neighs, sizeof(void *)) = n;
	return nl;
}

START_TEST(test_json_workers_neigh_version)
{
	Dpvs__Response *r = ctl_pb_response(DPVS__STATUS__OK, NULL);
	Dpvs__WorkerList *wl = ctl_pb_alloc(sizeof(*wl));
	Dpvs__Worker *w = ctl_pb_alloc(sizeof(*w));
	Dpvs__Version *v;

	dpvs__worker_list__init(wl);
	dpvs__worker__init(w);
	w->id = 1;
	w->pid = 42;
	w->state = ctl_pb_strdup("running");
	w->restarts = 2;
	w->heartbeat_age_ms = 3;
	w->lcore = 2;
	w->last_exit = ctl_pb_strdup("planned");
	w->last_gap_us = 1234;
	w->standby_ready = 1;
	*(Dpvs__Worker **)ctl_pb_append(&wl->workers, &wl->n_workers, sizeof(void *)) = w;
	r->workers = wl;
	r->payload_case = DPVS__RESPONSE__PAYLOAD_WORKERS;
	expect_output(r, true,
		      "[{\"id\":1,\"pid\":42,\"state\":\"running\",\"restarts\":2,"
		      "\"heartbeat_age_ms\":3,\"lcore\":2,\"last_exit\":\"planned\","
		      "\"last_gap_ms\":1.234,\"standby_ready\":1}]\n");
	/* never replaced: last_exit and last_gap_ms are null */
	w->heartbeat_age_ms = -1;
	w->last_exit[0] = '\0';
	w->last_gap_us = -1;
	expect_output(r, true,
		      "[{\"id\":1,\"pid\":42,\"state\":\"running\",\"restarts\":2,"
		      "\"heartbeat_age_ms\":null,\"lcore\":2,\"last_exit\":null,"
		      "\"last_gap_ms\":null,\"standby_ready\":1}]\n");
	dpvs__response__free_unpacked(r, NULL);

	r = ctl_pb_response(DPVS__STATUS__OK, NULL);
	r->neighs = two_neighs();
	r->payload_case = DPVS__RESPONSE__PAYLOAD_NEIGHS;
	expect_output(r, true,
		      "[{\"address\":\"10.0.0.2\",\"lladdr\":\"02:00:00:00:aa:01\","
		      "\"dev\":\"dpdk0\",\"state\":\"reachable\",\"static\":false,"
		      "\"age_s\":12,\"workers\":[0,1]},"
		      "{\"address\":\"10.0.0.2\",\"lladdr\":null,\"dev\":\"dpdk1\","
		      "\"state\":\"incomplete\",\"static\":false,\"age_s\":0,\"workers\":[1]}]\n");
	expect_output(r, false,
		      "10.0.0.2 lladdr 02:00:00:00:aa:01 dev dpdk0 reachable age 12s workers 0,1\n"
		      "10.0.0.2 dev dpdk1 incomplete age 0s workers 1\n");
	dpvs__response__free_unpacked(r, NULL);

	r = ctl_pb_response(DPVS__STATUS__OK, NULL);
	v = ctl_pb_alloc(sizeof(*v));
	dpvs__version__init(v);
	v->version = ctl_pb_strdup(DPVS_MP_VERSION);
	v->dpdk = ctl_pb_strdup("DPDK 22.11.0");
	v->layout = 1;
	r->version = v;
	r->payload_case = DPVS__RESPONSE__PAYLOAD_VERSION;
	expect_output(r, true,
		      "{\"version\":\"" DPVS_MP_VERSION "\",\"dpdk\":\"DPDK 22.11.0\",\"layout\":1}\n");
	dpvs__response__free_unpacked(r, NULL);
}
END_TEST

/* Strings in JSON: quotes, backslashes and control characters escaped by
 * jansson; bytes that are not UTF-8 (a stray continuation byte, 0xff, an
 * overlong form, a surrogate, a sequence cut short) each become U+FFFD;
 * valid UTF-8 stays as it is. Failed before the output was built with
 * jansson: the bytes went out raw and the document was not UTF-8. */
START_TEST(test_json_string_escapes)
{
	Dpvs__Response *r = ctl_pb_response(DPVS__STATUS__OK, NULL);
	Dpvs__RulesText *t = ctl_pb_alloc(sizeof(*t));

	dpvs__rules_text__init(t);
	*(char **)ctl_pb_append(&t->lines, &t->n_lines, sizeof(void *)) =
		ctl_pb_strdup("q\" b\\ t\t n\n c\x01 del\x7f");
	*(char **)ctl_pb_append(&t->lines, &t->n_lines, sizeof(void *)) =
		ctl_pb_strdup("\x80|\xff|\xc0\xaf|\xed\xa0\x80|\xc3\xa9\xe2\x82\xac|\xf0\x9f\x98\x80|\xe2\x82");
	r->rules = t;
	r->payload_case = DPVS__RESPONSE__PAYLOAD_RULES;
	expect_output(r, true,
		      "[\"q\\\" b\\\\ t\\t n\\n c\\u0001 del\x7f\","
		      "\"\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|"
		      "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xc3\xa9\xe2\x82\xac|\xf0\x9f\x98\x80|"
		      "\xef\xbf\xbd\xef\xbf\xbd\"]\n");
	dpvs__response__free_unpacked(r, NULL);
}
END_TEST

/* 64-bit counters: exact beyond 2^53 (no double on the way), clamped at
 * 2^63 - 1 (jansson's integers are long long) rather than wrapped. */
START_TEST(test_json_big_counters)
{
	Dpvs__Response *r = stats_response();
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	r->stats->mbufs_total = (1ull << 53) + 1;
	r->stats->mbufs_in_use = UINT64_MAX;
	ck_assert_ptr_nonnull(f);
	ctl_fmt_response(f, r, true);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "\"mbufs\":{\"total\":9007199254740993,"
					   "\"in_use\":9223372036854775807,"));
	free(text);
	dpvs__response__free_unpacked(r, NULL);
}
END_TEST

START_TEST(test_json_empty_lists)
{
	Dpvs__Response *r = ctl_pb_response(DPVS__STATUS__OK, NULL);
	Dpvs__AddrList *l = ctl_pb_alloc(sizeof(*l));

	dpvs__addr_list__init(l);
	r->addrs = l;
	r->payload_case = DPVS__RESPONSE__PAYLOAD_ADDRS;
	expect_output(r, true, "[]\n");
	expect_output(r, false, "");
	dpvs__response__free_unpacked(r, NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ctl_proto");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_request_round_trip, 0,
			    (int)(sizeof(commands) / sizeof(commands[0])));
	tcase_add_test(tc, test_response_round_trip);
	tcase_add_test(tc, test_garbage_does_not_decode);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_find_nul);
	tcase_add_test(tc, test_response_message_escaped);
	tcase_add_test(tc, test_frame_header);
	tcase_add_test(tc, test_frame_io);
	tcase_add_test(tc, test_json_stats);
	tcase_add_test(tc, test_json_addr);
	tcase_add_test(tc, test_port_show);
	tcase_add_test(tc, test_json_workers_neigh_version);
	tcase_add_test(tc, test_json_empty_lists);
	tcase_add_test(tc, test_json_string_escapes);
	tcase_add_test(tc, test_json_big_counters);
	tcase_add_test(tc, test_json_key_not_utf8);
	tcase_add_test(tc, test_laddr_without_service);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
