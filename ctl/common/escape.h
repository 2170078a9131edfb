/*
 * Printable text from untrusted bytes: error messages that echo what a
 * client or a file gave (a port name, a scheduler, a rules-file word) must
 * not carry newlines, escape sequences or other control characters to a
 * terminal or a log, where they could forge a line. No DPDK.
 */
#ifndef DPVS_CTL_ESCAPE_H
#define DPVS_CTL_ESCAPE_H

#include <stddef.h>

/*
 * Copy in to out (outlen bytes, always NUL-terminated, cut if too small)
 * with every byte outside printable ASCII written as an escape: \n, \r, \t,
 * or \xHH (controls, DEL, and bytes >= 0x80). Printable ASCII, the backslash
 * included, is copied as is, so escaping twice changes nothing. Returns out.
 */
char *ctl_escape(const char *in, char *out, size_t outlen);

/* The size of out that ctl_escape needs for in, NUL included. */
size_t ctl_escape_len(const char *in);

#endif
