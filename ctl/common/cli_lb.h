/*
 * Parsers of the load-balancer commands (cli_lb.c, cli_net.c), rows of the
 * command table in cli.c. Each takes the words after the command word(s) and
 * fills one member of the Request oneof; returns CTL_CLI_OK, CTL_CLI_BADARG
 * or CTL_CLI_USAGE with a message in err. Internal to ctl/common.
 */
#ifndef DPVS_CTL_CLI_LB_H
#define DPVS_CTL_CLI_LB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/dpvs.pb-c.h"
#include "shm/errf.h"

#define CLI_LB_FN(name)                                                           \
	int name(int argc, char *const argv[], Dpvs__Request *req, char *err, size_t errlen)

/* ipvsadm words (cli_lb.c) */
CLI_LB_FN(ctl_cli_svc_add);     /* -A -t|-u VIP:PORT [-s SCHED] [-b hash-port] */
CLI_LB_FN(ctl_cli_svc_edit);    /* -E -t|-u VIP:PORT [-s SCHED] [-b FLAGS] */
CLI_LB_FN(ctl_cli_svc_del);     /* -D -t|-u VIP:PORT */
CLI_LB_FN(ctl_cli_dest_add);    /* -a -t|-u VIP:PORT -r RS[:PORT] [-b MODE] [-w W] ... */
CLI_LB_FN(ctl_cli_dest_edit);   /* -e (same options) */
CLI_LB_FN(ctl_cli_dest_del);    /* -d -t|-u VIP:PORT -r RS[:PORT] */
CLI_LB_FN(ctl_cli_list);        /* -L [-n] [--stats] [-t|-u VIP:PORT] [-c] */
CLI_LB_FN(ctl_cli_save);        /* save, -S */
CLI_LB_FN(ctl_cli_reload);      /* reload */
CLI_LB_FN(ctl_cli_conn_show);   /* conn show */
/* timeouts (cli_timeout.c) */
CLI_LB_FN(ctl_cli_timeout_ipvs); /* --set TCP TCPFIN UDP */
CLI_LB_FN(ctl_cli_timeout_set);  /* timeout set NAME [STATE] SECONDS */
CLI_LB_FN(ctl_cli_timeout_show); /* timeout show */
/* A TimeoutShow request (brief: -L --timeout). */
int ctl_cli_timeout_show_req(Dpvs__Request *req, bool brief);

/* iproute2-like words (cli_net.c) */
CLI_LB_FN(ctl_cli_laddr_add);   /* laddr add -t|-u VIP:PORT IP dev PORT */
CLI_LB_FN(ctl_cli_laddr_del);   /* laddr del -t|-u VIP:PORT IP [dev PORT] */
CLI_LB_FN(ctl_cli_laddr_show);  /* laddr show [-t|-u VIP:PORT] */
CLI_LB_FN(ctl_cli_route_add);   /* route add PREFIX [via GW] dev PORT */
CLI_LB_FN(ctl_cli_route_del);   /* route del PREFIX [via GW] [dev PORT] */
CLI_LB_FN(ctl_cli_route_show);  /* route show */
CLI_LB_FN(ctl_cli_neigh_add);   /* neigh add IP lladdr MAC dev PORT */
CLI_LB_FN(ctl_cli_neigh_del);   /* neigh del IP dev PORT */
CLI_LB_FN(ctl_cli_port_set);    /* port set PORT KEY on|off */
CLI_LB_FN(ctl_cli_port_show);   /* port show [PORT] */
CLI_LB_FN(ctl_cli_vlan_add);    /* vlan add NAME dev PORT id ID */
CLI_LB_FN(ctl_cli_vlan_del);    /* vlan del NAME */
CLI_LB_FN(ctl_cli_vlan_show);   /* vlan show [NAME] */

/* health checks (cli_check.c) */
CLI_LB_FN(ctl_cli_check_set);   /* check set -t|-u VIP:PORT [-r RS[:PORT]] TYPE [...] */
CLI_LB_FN(ctl_cli_check_del);   /* check del -t|-u VIP:PORT [-r RS[:PORT]] */

/* access lists (cli_acl.c) */
CLI_LB_FN(ctl_cli_blklst_add);  /* blklst add -t|-u VIP:PORT PREFIX[/LEN] */
CLI_LB_FN(ctl_cli_blklst_del);
CLI_LB_FN(ctl_cli_blklst_show); /* blklst show [-t|-u VIP:PORT] */
CLI_LB_FN(ctl_cli_whtlst_add);
CLI_LB_FN(ctl_cli_whtlst_del);
CLI_LB_FN(ctl_cli_whtlst_show);

/* Rate options of -A/-E/-a/-e (cli_acl.c): is w one? */
bool ctl_cli_is_rate_opt(const char *w);
/* "--rate-in 1000pps[:BURST]" at argv[*i] (the option word), consuming its
 * value: a Rate message appended to *rates. */
int ctl_cli_rate_opt(int argc, char *const argv[], int *i, Dpvs__Rate ***rates, size_t *n,
		     char *err, size_t errlen);

/* Shared helpers (cli_lb.c). */
/* "ADDR:PORT" or "[ADDR6]:PORT" (the port optional unless need_port: then
 * *port = 0). */
int ctl_cli_ipport(const char *text, Dpvs__Ip **ip, uint32_t *port, bool need_port, char *err,
		   size_t errlen);
/* "-t VIP:PORT" / "-u VIP:PORT" at argv[*i] (option word), consuming its
 * value; returns CTL_CLI_OK with *key built, or an error. */
int ctl_cli_svc_opt(int argc, char *const argv[], int *i, Dpvs__SvcKey **key, char *err,
		    size_t errlen);

#endif
