/* SPDX-License-Identifier: GPL-2.0-or-later */
/* st2_simsock.h: simulator implementation of the SIMtrace2 transport seam
 * (st2_transport.h): a stream socket (unix socket) to tests/tools/st2sim,
 * which plays the board's firmware and the modem behind it.
 *
 * Framing on the socket, both directions: each SIMtrace2 USB message (the
 * same octets that would travel in one USB transfer) is wrapped as
 *     u8 tag | u16 length (little-endian) | length octets
 * where tag is the slot-0 endpoint address the transfer would use:
 *     0x04  bulk OUT      (host -> simulator)
 *     0x85  bulk IN       (simulator -> host)
 *     0x86  interrupt IN  (simulator -> host)
 * length is 0..4096.  Unknown tags are skipped.  The simulator closing the
 * connection is "unplug" (reported as ST2_GONE_UNPLUGGED).
 *
 * IN transfers are explicit, so that the simulator can model the board's
 * limited IN queues: the host posts a transfer with an EMPTY frame carrying
 * the IN endpoint's tag (0x85 / 0x86, length 0); each IN message from the
 * simulator completes one posted transfer, which the transport re-posts
 * right after delivering the message (as osmo-remsim resubmits its libusb
 * transfers).  in_flight() counts the posted bulk-IN transfers.
 *
 * Device selection: right after connecting, the host sends a CLAIM frame
 * (tag 0x01) with osmo-remsim's selection (-V -P -C -I -S -A -H); the
 * simulator answers with a CLAIM frame: u8 status (0 claimed, else
 * ST2_SIM_CLAIM_*) and a text: the board's port path when claimed, else
 * the reason.  A simulated board with several
 * cardem interfaces serves each claimed interface on its own connection.
 *
 * CLAIM request payload (little-endian): u16 vid (0 any), u16 pid (0 any),
 * i16 config (-1 keep), i16 interface, i16 altsetting, i16 bus (-1 any),
 * i16 address (-1 any), then the port path ("1-2.3"; empty = any). */
#ifndef REMSIM_ST2_SIMSOCK_H
#define REMSIM_ST2_SIMSOCK_H

#include <stddef.h>
#include <stdint.h>

#include "st2_transport.h"
#include "st2_usb.h"

#define ST2_SIM_TAG_OUT      0x04
#define ST2_SIM_TAG_IN       0x85
#define ST2_SIM_TAG_IRQ      0x86
#define ST2_SIM_FRAME_HDR    3
#define ST2_SIM_FRAME_MAX    4096
#define ST2_SIMSOCK_DEFAULT_IN 4   /* bulk-IN transfers kept posted (as over USB) */
#define ST2_SIM_TAG_CLAIM    0x01
#define ST2_SIM_CLAIM_OK        0
#define ST2_SIM_CLAIM_NODEV     1  /* no device matches VID/PID/bus/address/path */
#define ST2_SIM_CLAIM_NOTFOUND  2  /* no such configuration/interface/altsetting */
#define ST2_SIM_CLAIM_BUSY      3  /* interface claimed by another host */

/* a decoded CLAIM request */
struct st2_sim_claim {
	uint16_t vid, pid;
	int config, interface, altsetting, bus, address;
	char path[64];
};
/* encode the selection as a CLAIM payload; its length or -1 */
int st2_sim_claim_enc(const struct st2_usb_sel *sel, uint8_t *out, size_t outlen);
/* decode a CLAIM payload; 0 or -1 */
int st2_sim_claim_dec(const uint8_t *p, size_t len, struct st2_sim_claim *c);

/* Stream reassembly buffer for frames (also used by the simulator). */
struct st2_sim_rx {
	uint8_t buf[2 * (ST2_SIM_FRAME_HDR + ST2_SIM_FRAME_MAX)];
	size_t len;
};

/* Wrap one message; returns the frame length or -1 (len too big/out too small). */
int st2_sim_frame(uint8_t tag, const uint8_t *msg, size_t len, uint8_t *out, size_t outlen);

/* Read what is available from fd (non-blocking) into rx.  Returns octets
 * read, 0 on EOF, -1 on error (errno set; EAGAIN means nothing to read). */
int st2_sim_rx_fill(struct st2_sim_rx *rx, int fd);

/* Take the next complete frame out of rx: returns 1 and sets tag/payload
 * (copied into out, which must hold ST2_SIM_FRAME_MAX), 0 if incomplete,
 * -1 if the stream is corrupt (length > ST2_SIM_FRAME_MAX). */
int st2_sim_rx_next(struct st2_sim_rx *rx, uint8_t *tag, uint8_t *out, size_t *len);

/* Write all of buf to a (blocking or non-blocking) socket; 0 or -1. */
int st2_sim_write_all(int fd, const uint8_t *buf, size_t len);

/* Connect to the simulator's unix socket (path; a leading '@' selects the
 * abstract namespace) and post 4 bulk-IN transfers and one interrupt-IN
 * transfer.  NULL on failure (logged). */
struct st2_transport *st2_simsock_open(const char *path, const struct st2_transport_cbs *cbs,
				       const char *log_ctx);
/* The same with n_bulk_in bulk-IN transfers (< 1: the default 4). */
struct st2_transport *st2_simsock_open_n(const char *path, int n_bulk_in, const struct st2_transport_cbs *cbs,
					 const char *log_ctx);
/* The same with a device selection (sel->n_bulk_in transfers); NULL when the
 * simulator refuses the claim (its reason is logged). */
struct st2_transport *st2_simsock_open_sel(const char *path, const struct st2_usb_sel *sel,
					   const struct st2_transport_cbs *cbs, const char *log_ctx);
/* The simulated board's port path ("1-1") for REMSIM_USB_PATH; 0 or < 0. */
int st2_simsock_get_path(struct st2_transport *t, char *buf, size_t len);

#endif
