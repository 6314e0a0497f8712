/* SPDX-License-Identifier: GPL-2.0-or-later */
/* st2_usb.h: libusb-1.0 implementation of the SIMtrace2 transport seam
 * (st2_transport.h) for one cardem slot (= one USB interface).
 *
 * Asynchronous I/O only: >= 4 bulk-IN transfers (4096 octets each) and one
 * interrupt-IN transfer (64 octets) are kept submitted at all times, each
 * resubmitted as soon as its completion has been delivered; every bulk-OUT
 * message is its own asynchronous transfer (timeout 100 s, zero-length
 * packet appended when the length is a multiple of 64).  Integration into
 * a poll/zloop loop uses libusb's pollfd API; handle_events() calls
 * libusb_handle_events_timeout_completed() with a zero timeout.  A transfer
 * ending with LIBUSB_TRANSFER_NO_DEVICE (or any error status) reports
 * "gone" through the callbacks. */
#ifndef REMSIM_ST2_USB_H
#define REMSIM_ST2_USB_H

#include <stdint.h>

#include "st2_transport.h"

#define ST2_USB_VID              0x1d50
#define ST2_USB_MIN_BULK_IN      4
#define ST2_USB_BULK_IN_SIZE     4096
#define ST2_USB_IRQ_IN_SIZE      64
#define ST2_USB_OUT_TIMEOUT_MS   100000

/* Device selection (osmo-remsim's -V -P -C -I -S -A -H, plus serial). */
struct st2_usb_sel {
	uint16_t vid;          /* 0 = 0x1d50 */
	uint16_t pid;          /* 0 = any cardem board (60e3 4004 4001 616e 616d) */
	const char *serial;    /* iSerialNumber string, NULL = any */
	const char *path;      /* USB port path "BUS-PORT[.PORT...]", e.g. "2-1.1"; NULL = any */
	int bus;               /* bus number, -1 = any */
	int address;           /* device address on the bus, -1 = any */
	int config;            /* configuration to select if different; -1 = keep */
	int interface;         /* interface number (= slot) */
	int altsetting;        /* altsetting to set */
	int n_bulk_in;         /* bulk-IN transfers to keep submitted (< 1 => 4; fewer
				* than 4 only to reproduce OS#4409, with a warning) */
	int no_dev_mem;        /* 1: plain heap buffers instead of libusb_dev_mem_alloc()
				* (needed under umockdev, whose fake usbfs node cannot
				* back an mmap) */
};

/* Defaults: any cardem board, config 1, interface 0, altsetting 0, 4 IN. */
void st2_usb_sel_default(struct st2_usb_sel *sel);

/* Find, open and claim the device; submit the IN transfers.  Returns NULL
 * (after logging why) if no device matches or setup fails. */
struct st2_transport *st2_usb_open(const struct st2_usb_sel *sel, const struct st2_transport_cbs *cbs,
				   const char *log_ctx);

/* The opened device's port path ("2-1.1") for REMSIM_USB_PATH; 0 or < 0. */
int st2_usb_get_path(struct st2_transport *t, char *buf, size_t len);

/* Endpoint addresses found for the claimed interface. */
void st2_usb_get_endpoints(struct st2_transport *t, uint8_t *ep_out, uint8_t *ep_in, uint8_t *ep_irq);

/* Submitted bulk-OUT transfers not yet completed. */
int st2_usb_out_pending(struct st2_transport *t);

#endif
