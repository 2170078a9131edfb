/*
 * udpgap: a steady UDP stream and its receiver, to measure what a worker's
 * replacement costs (tests/system and tests/bench; no DPDK).
 *
 *   udpgap send DST PORT RATE SECONDS FLOWS
 *       RATE packets per second in all, spread round-robin over FLOWS sockets
 *       (each its own source port: a connection of its own for the node),
 *       paced in 1 ms steps; each datagram carries its flow, its sequence
 *       number in the flow and CLOCK_REALTIME. Prints "sent N".
 *   udpgap recv ADDR PORT GAP_MS IDLE_MS
 *       counts per flow; whenever a flow's next datagram comes more than
 *       GAP_MS after its previous one, or after a skipped sequence number, prints
 *         "gap flow F from T0 to T1 ms M lost L"   (T: CLOCK_REALTIME, s)
 *       (L: sequence numbers skipped). Ends IDLE_MS after the last datagram
 *       (once one came) or on SIGINT/SIGTERM, printing
 *         "recv N lost L flows K"
 * Lost datagrams are sequence numbers never seen (reordering is not
 * expected on this path and would count as loss and a duplicate).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FLOWS 256
#define BATCH 64

struct msg {
	uint32_t flow;
	uint32_t seq;
	uint64_t t_ns;
	uint8_t pad[16];
};

static volatile sig_atomic_t stop;

static void
on_sig(int s)
{
	(void)s;
	stop = 1;
}

static uint64_t
now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
do_send(const char *dst, int port, long rate, long secs, int flows)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd[MAX_FLOWS], f;
	uint32_t seq[MAX_FLOWS] = { 0 };
	uint64_t t0, end, sent = 0, due;
	struct timespec nap = { 0, 100000 };

	if (inet_pton(AF_INET, dst, &sa.sin_addr) != 1 || flows < 1 || flows > MAX_FLOWS)
		return 2;
	for (f = 0; f < flows; f++) {
		fd[f] = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd[f] < 0 || connect(fd[f], (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			perror("socket/connect");
			return 1;
		}
	}
	t0 = now_ns(CLOCK_MONOTONIC);
	end = t0 + (uint64_t)secs * 1000000000ull;
	f = 0;
	while (!stop) {
		uint64_t t = now_ns(CLOCK_MONOTONIC);

		if (t >= end)
			break;
		due = (uint64_t)((double)(t - t0) * (double)rate / 1e9);
		while (sent < due) {
			struct msg m = { .flow = (uint32_t)f, .seq = seq[f], .t_ns = now_ns(CLOCK_REALTIME) };

			if (send(fd[f], &m, sizeof(m), 0) < 0) {
				if (errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED)
					continue; /* not sent: same seq again */
				perror("send");
				return 1;
			}
			seq[f]++;
			sent++;
			f = (f + 1) % flows;
		}
		nanosleep(&nap, NULL);
	}
	printf("sent %llu\n", (unsigned long long)sent);
	return 0;
}

static int
do_recv(const char *addr, int port, double gap_ms, long idle_ms)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	static struct msg buf[BATCH];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	uint64_t last[MAX_FLOWS] = { 0 }, total = 0, lost = 0, t_last = 0;
	uint32_t next[MAX_FLOWS] = { 0 };
	int fd, i, n, rcv = 4 << 20, nflows = 0;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return 2;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("bind");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = &buf[i];
		iov[i].iov_len = sizeof(buf[i]);
		memset(&mm[i], 0, sizeof(mm[i]));
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	while (!stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 50) <= 0) {
			if (t_last != 0 && now_ns(CLOCK_REALTIME) - t_last > (uint64_t)idle_ms * 1000000ull)
				break;
			continue;
		}
		n = recvmmsg(fd, mm, BATCH, MSG_DONTWAIT, NULL);
		for (i = 0; i < n; i++) {
			uint64_t t = now_ns(CLOCK_REALTIME);
			uint32_t f = buf[i].flow;

			if (mm[i].msg_len < 8 || f >= MAX_FLOWS)
				continue;
			total++;
			t_last = t;
			if (last[f] == 0)
				nflows++;
			if (buf[i].seq > next[f])
				lost += buf[i].seq - next[f];
			if (last[f] != 0 && ((double)(t - last[f]) / 1e6 > gap_ms || buf[i].seq > next[f]))
				printf("gap flow %u from %.6f to %.6f ms %.3f lost %u\n", f,
				       (double)last[f] / 1e9, (double)t / 1e9, (double)(t - last[f]) / 1e6,
				       buf[i].seq > next[f] ? buf[i].seq - next[f] : 0);
			if (buf[i].seq >= next[f])
				next[f] = buf[i].seq + 1;
			last[f] = t;
		}
	}
	printf("recv %llu lost %llu flows %d\n", (unsigned long long)total,
	       (unsigned long long)lost, nflows);
	return 0;
}

int
main(int argc, char **argv)
{
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 7 && strcmp(argv[1], "send") == 0)
		return do_send(argv[2], atoi(argv[3]), atol(argv[4]), atol(argv[5]), atoi(argv[6]));
	if (argc == 6 && strcmp(argv[1], "recv") == 0)
		return do_recv(argv[2], atoi(argv[3]), atof(argv[4]), atol(argv[5]));
	fprintf(stderr, "usage: udpgap send DST PORT RATE SECONDS FLOWS | "
		"udpgap recv ADDR PORT GAP_MS IDLE_MS\n");
	return 2;
}
