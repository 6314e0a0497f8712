/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zmtp.h: the octets of ZeroMQ's wire protocol (ZMTP 3.0, NULL mechanism)
 * that the hub's sockets (hubsock.c) exchange: the 64-octet greeting, frame
 * headers, the READY command and its properties, PING/PONG.  Pure functions
 * over buffers; no I/O. */
#ifndef REMSIM_ZMTP_H
#define REMSIM_ZMTP_H

#include <stddef.h>
#include <stdint.h>

#define ZMTP_GREETING_LEN	64
#define ZMTP_HDR_MAX		9	/* flags + 8-octet size */
#define ZMTP_F_MORE		0x01
#define ZMTP_F_LONG		0x02
#define ZMTP_F_COMMAND		0x04
#define ZMTP_ID_MAX		255	/* routing ids */
#define ZMTP_READY_MAX		(1 + 5 + (1 + 11 + 4 + 6) + (1 + 8 + 4 + ZMTP_ID_MAX))

/* Our greeting (version 3.0, mechanism NULL, not as-server) into g. */
void zmtp_greeting(uint8_t g[ZMTP_GREETING_LEN]);
/* 1 when a peer's greeting is one we speak with: ZMTP 3.x and NULL. */
int zmtp_greeting_ok(const uint8_t g[ZMTP_GREETING_LEN]);

/* The header of a frame of len octets into h: its length (2 or 9). */
size_t zmtp_put_hdr(uint8_t h[ZMTP_HDR_MAX], uint64_t len, uint8_t flags);
/* Parse a frame header at p (avail octets): its length (2 or 9), the flags
 * and the body size; 0 when incomplete. */
size_t zmtp_get_hdr(const uint8_t *p, size_t avail, uint8_t *flags, uint64_t *size);

/* A command body's name: 1 when body (n octets) is the command `name`. */
int zmtp_is_command(const uint8_t *body, size_t n, const char *name);

/* The body of our READY command (Socket-Type, Identity) into b
 * (ZMTP_READY_MAX octets): its length. */
size_t zmtp_ready_build(uint8_t *b, const char *socket_type, const char *identity);

struct zmtp_ready {
	const uint8_t *type, *id;	/* NULL when absent */
	size_t typelen, idlen;
};
/* Parse a READY body (n octets, name included): 0, or -1 when malformed. */
int zmtp_ready_parse(const uint8_t *body, size_t n, struct zmtp_ready *r);

/* May a socket of type `ours` talk to a peer of type `peer` (ROUTER with
 * DEALER, REQ, ROUTER; DEALER with ROUTER, DEALER, REP)? */
int zmtp_types_fit(const char *ours, const uint8_t *peer, size_t peerlen);

/* The PONG command (header and body) answering a PING body (n octets) into
 * out (at least 2 + 5 + 16 octets): its length, or 0 when the PING is
 * malformed. */
size_t zmtp_pong_for(const uint8_t *ping, size_t n, uint8_t *out);

#endif
