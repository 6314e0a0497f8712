/* SPDX-License-Identifier: GPL-2.0-or-later */
/* st2_usb.c: libusb-1.0 SIMtrace2 transport (see st2_usb.h). */
#include "st2_usb.h"

#include <errno.h>
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "log.h"

#define ST2_USB_MAX_BULK_IN 32

static const uint16_t st2_cardem_pids[] = { 0x60e3, 0x4004, 0x4001, 0x616e, 0x616d };

struct st2_usb;

struct st2_usb_xfer {          /* one IN transfer (bulk or interrupt) */
	struct st2_usb *u;
	struct libusb_transfer *xfer;
	uint8_t *buf;
	int dev_mem;               /* buf from libusb_dev_mem_alloc */
	int is_irq;
	int submitted;
};

struct st2_usb_out {           /* one OUT transfer, listed until completion */
	struct st2_usb *u;
	struct libusb_transfer *xfer;
	struct st2_usb_out *prev, *next;
};

struct st2_usb {
	struct st2_transport base;     /* first member */
	char ctx_name[32];
	libusb_context *ctx;
	libusb_device_handle *h;
	int interface;
	int claimed;
	uint8_t ep_out, ep_in, ep_irq;
	char path[64];
	int n_in;
	struct st2_usb_xfer in[ST2_USB_MAX_BULK_IN];
	struct st2_usb_xfer irq;
	int in_flight;                 /* bulk-IN transfers submitted */
	int out_pending;
	struct st2_usb_out *outs;
	int closing;
	int no_dev_mem;
};

static void st2_usb_gone(struct st2_usb *u, enum st2_gone_reason why, const char *detail)
{
	if (!u->base.gone)
		LOGCE(LC_ST2, u->ctx_name, "SIMtrace2 device gone: %s", detail);
	st2_transport_report_gone(&u->base, why, detail);
}

static enum st2_gone_reason reason_of(int status)
{
	return status == LIBUSB_TRANSFER_NO_DEVICE ? ST2_GONE_UNPLUGGED : ST2_GONE_IO_ERROR;
}

static const char *xfer_status_name(int status)
{
	switch (status) {
	case LIBUSB_TRANSFER_COMPLETED: return "completed";
	case LIBUSB_TRANSFER_ERROR:     return "transfer error";
	case LIBUSB_TRANSFER_TIMED_OUT: return "timed out";
	case LIBUSB_TRANSFER_CANCELLED: return "cancelled";
	case LIBUSB_TRANSFER_STALL:     return "stall";
	case LIBUSB_TRANSFER_NO_DEVICE: return "no device (unplugged)";
	case LIBUSB_TRANSFER_OVERFLOW:  return "overflow";
	default:                        return "unknown status";
	}
}

/* ---- IN transfers ----------------------------------------------------------- */

static int in_submit(struct st2_usb_xfer *x)
{
	struct st2_usb *u = x->u;
	int rc = libusb_submit_transfer(x->xfer);
	if (rc < 0) {
		char d[96];
		snprintf(d, sizeof(d), "submitting %s IN transfer: %s", x->is_irq ? "interrupt" : "bulk",
			 libusb_strerror(rc));
		st2_usb_gone(u, rc == LIBUSB_ERROR_NO_DEVICE ? ST2_GONE_UNPLUGGED : ST2_GONE_IO_ERROR, d);
		return rc;
	}
	x->submitted = 1;
	if (!x->is_irq)
		u->in_flight++;
	return 0;
}

static void LIBUSB_CALL in_cb(struct libusb_transfer *xfer)
{
	struct st2_usb_xfer *x = xfer->user_data;
	struct st2_usb *u = x->u;

	x->submitted = 0;
	if (!x->is_irq)
		u->in_flight--;
	switch (xfer->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		if (xfer->actual_length > 0 && !u->closing) {
			if (x->is_irq && u->base.cbs.irq_in)
				u->base.cbs.irq_in(u->base.cbs.priv, xfer->buffer, (size_t)xfer->actual_length);
			else if (!x->is_irq && u->base.cbs.bulk_in)
				u->base.cbs.bulk_in(u->base.cbs.priv, xfer->buffer, (size_t)xfer->actual_length);
		}
		/* fall through */
	case LIBUSB_TRANSFER_TIMED_OUT:
		if (!u->closing && !u->base.gone)
			in_submit(x);
		break;
	case LIBUSB_TRANSFER_CANCELLED:
		break;
	default: {
		char d[96];
		snprintf(d, sizeof(d), "%s IN transfer: %s", x->is_irq ? "interrupt" : "bulk",
			 xfer_status_name(xfer->status));
		if (!u->closing)
			st2_usb_gone(u, reason_of(xfer->status), d);
		break;
	}
	}
}

static int in_setup(struct st2_usb *u, struct st2_usb_xfer *x, int is_irq)
{
	size_t size = is_irq ? ST2_USB_IRQ_IN_SIZE : ST2_USB_BULK_IN_SIZE;
	x->u = u;
	x->is_irq = is_irq;
	x->xfer = libusb_alloc_transfer(0);
	if (!x->xfer)
		return -1;
	x->buf = u->no_dev_mem ? NULL : libusb_dev_mem_alloc(u->h, size);
	x->dev_mem = x->buf != NULL;
	if (!x->buf)               /* platform without device memory: plain memory */
		x->buf = malloc(size);
	if (!x->buf)
		return -1;
	if (is_irq)
		libusb_fill_interrupt_transfer(x->xfer, u->h, u->ep_irq, x->buf, (int)size, in_cb, x, 0);
	else
		libusb_fill_bulk_transfer(x->xfer, u->h, u->ep_in, x->buf, (int)size, in_cb, x, 0);
	return in_submit(x);
}

static void in_free(struct st2_usb *u, struct st2_usb_xfer *x)
{
	if (x->xfer)
		libusb_free_transfer(x->xfer);
	if (x->buf) {
		if (x->dev_mem)
			libusb_dev_mem_free(u->h, x->buf, x->is_irq ? ST2_USB_IRQ_IN_SIZE : ST2_USB_BULK_IN_SIZE);
		else
			free(x->buf);
	}
	memset(x, 0, sizeof(*x));
}

/* ---- OUT transfers -------------------------------------------------------------- */

static void out_unlink_free(struct st2_usb_out *o)
{
	struct st2_usb *u = o->u;
	if (o->prev) o->prev->next = o->next; else u->outs = o->next;
	if (o->next) o->next->prev = o->prev;
	u->out_pending--;
	free(o->xfer->buffer);
	libusb_free_transfer(o->xfer);
	free(o);
}

static void LIBUSB_CALL out_cb(struct libusb_transfer *xfer)
{
	struct st2_usb_out *o = xfer->user_data;
	struct st2_usb *u = o->u;
	int status = xfer->status;
	out_unlink_free(o);
	if (status != LIBUSB_TRANSFER_COMPLETED && status != LIBUSB_TRANSFER_CANCELLED && !u->closing) {
		char d[96];
		snprintf(d, sizeof(d), "bulk OUT transfer: %s", xfer_status_name(status));
		st2_usb_gone(u, reason_of(status), d);
	}
}

static int usb_send(struct st2_transport *t, const uint8_t *buf, size_t len)
{
	struct st2_usb *u = (struct st2_usb *)t;
	if (t->gone || u->closing)
		return -ENODEV;
	struct st2_usb_out *o = calloc(1, sizeof(*o));
	uint8_t *copy = malloc(len ? len : 1);
	struct libusb_transfer *x = libusb_alloc_transfer(0);
	if (!o || !copy || !x) {
		free(o); free(copy);
		if (x) libusb_free_transfer(x);
		return -ENOMEM;
	}
	memcpy(copy, buf, len);
	libusb_fill_bulk_transfer(x, u->h, u->ep_out, copy, (int)len, out_cb, o, ST2_USB_OUT_TIMEOUT_MS);
	x->flags = LIBUSB_TRANSFER_ADD_ZERO_PACKET;
	o->u = u;
	o->xfer = x;
	int rc = libusb_submit_transfer(x);
	if (rc < 0) {
		free(copy); libusb_free_transfer(x); free(o);
		char d[96];
		snprintf(d, sizeof(d), "submitting bulk OUT transfer: %s", libusb_strerror(rc));
		st2_usb_gone(u, rc == LIBUSB_ERROR_NO_DEVICE ? ST2_GONE_UNPLUGGED : ST2_GONE_IO_ERROR, d);
		return -EIO;
	}
	o->next = u->outs;
	if (u->outs) u->outs->prev = o;
	u->outs = o;
	u->out_pending++;
	return 0;
}

/* ---- event loop integration --------------------------------------------------------- */

static int usb_pollfds(struct st2_transport *t, struct pollfd *fds, int max)
{
	struct st2_usb *u = (struct st2_usb *)t;
	const struct libusb_pollfd **l = libusb_get_pollfds(u->ctx);
	if (!l)
		return -1;
	int n = 0;
	for (int i = 0; l[i] && n < max; i++, n++) {
		fds[n].fd = l[i]->fd;
		fds[n].events = l[i]->events;
		fds[n].revents = 0;
	}
	libusb_free_pollfds(l);
	return n;
}

static int usb_timeout_ms(struct st2_transport *t)
{
	struct st2_usb *u = (struct st2_usb *)t;
	struct timeval tv;
	if (libusb_pollfds_handle_timeouts(u->ctx))
		return -1;
	int rc = libusb_get_next_timeout(u->ctx, &tv);
	if (rc <= 0)
		return -1;
	return (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
}

static int usb_handle_events(struct st2_transport *t)
{
	struct st2_usb *u = (struct st2_usb *)t;
	struct timeval zero = { 0, 0 };
	int rc = libusb_handle_events_timeout_completed(u->ctx, &zero, NULL);
	if (rc == LIBUSB_ERROR_NO_DEVICE)
		st2_usb_gone(u, ST2_GONE_UNPLUGGED, "handling events: no device");
	else if (rc < 0 && rc != LIBUSB_ERROR_INTERRUPTED)
		LOGCW(LC_ST2, u->ctx_name, "libusb event handling: %s", libusb_strerror(rc));
	return rc == LIBUSB_ERROR_INTERRUPTED ? 0 : rc;
}

static int usb_in_flight(struct st2_transport *t)
{
	return ((struct st2_usb *)t)->in_flight;
}

int st2_usb_out_pending(struct st2_transport *t)
{
	return ((struct st2_usb *)t)->out_pending;
}

static int pending_total(struct st2_usb *u)
{
	int n = u->out_pending + (u->irq.submitted ? 1 : 0);
	for (int i = 0; i < u->n_in; i++)
		n += u->in[i].submitted;
	return n;
}

static void usb_close(struct st2_transport *t)
{
	struct st2_usb *u = (struct st2_usb *)t;
	if (!u)
		return;
	u->closing = 1;
	if (u->ctx && u->h) {
		for (int i = 0; i < u->n_in; i++)
			if (u->in[i].submitted)
				libusb_cancel_transfer(u->in[i].xfer);
		if (u->irq.submitted)
			libusb_cancel_transfer(u->irq.xfer);
		for (struct st2_usb_out *o = u->outs; o; o = o->next)
			libusb_cancel_transfer(o->xfer);
		/* wait (bounded) for the cancellations to complete */
		for (int i = 0; i < 40 && pending_total(u) > 0; i++) {
			struct timeval tv = { 0, 50000 };
			libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);
		}
		if (pending_total(u) > 0)
			LOGCW(LC_ST2, u->ctx_name, "%d USB transfers still pending at close", pending_total(u));
		else {
			for (int i = 0; i < u->n_in; i++)
				in_free(u, &u->in[i]);
			in_free(u, &u->irq);
		}
		if (u->claimed)
			libusb_release_interface(u->h, u->interface);
	}
	if (u->h)
		libusb_close(u->h);
	if (u->ctx && pending_total(u) == 0)
		libusb_exit(u->ctx);
	free(u);
}

static const struct st2_transport_ops st2_usb_ops = {
	.name = "usb",
	.send = usb_send,
	.pollfds = usb_pollfds,
	.timeout_ms = usb_timeout_ms,
	.handle_events = usb_handle_events,
	.in_flight = usb_in_flight,
	.close = usb_close,
};

/* ---- device selection ------------------------------------------------------------------ */

void st2_usb_sel_default(struct st2_usb_sel *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->vid = ST2_USB_VID;
	sel->bus = -1;
	sel->address = -1;
	sel->config = 1;
	sel->interface = 0;
	sel->altsetting = 0;
	sel->n_bulk_in = ST2_USB_MIN_BULK_IN;
}

static void dev_path(libusb_device *dev, char *buf, size_t len)
{
	uint8_t ports[8];
	int n = libusb_get_port_numbers(dev, ports, sizeof(ports));
	int o = snprintf(buf, len, "%u", libusb_get_bus_number(dev));
	for (int i = 0; i < n && o > 0 && (size_t)o < len; i++)
		o += snprintf(buf + o, len - (size_t)o, "%c%u", i == 0 ? '-' : '.', ports[i]);
}

static int pid_ok(const struct st2_usb_sel *sel, uint16_t pid)
{
	if (sel->pid)
		return pid == sel->pid;
	for (size_t i = 0; i < sizeof(st2_cardem_pids) / sizeof(st2_cardem_pids[0]); i++)
		if (pid == st2_cardem_pids[i])
			return 1;
	return 0;
}

/* open the first device matching sel; NULL if none */
static libusb_device_handle *find_device(struct st2_usb *u, const struct st2_usb_sel *sel)
{
	libusb_device **list;
	libusb_device_handle *found = NULL;
	ssize_t n = libusb_get_device_list(u->ctx, &list);
	if (n < 0) {
		LOGCE(LC_ST2, u->ctx_name, "listing USB devices: %s", libusb_strerror((int)n));
		return NULL;
	}
	uint16_t vid = sel->vid ? sel->vid : ST2_USB_VID;
	for (ssize_t i = 0; i < n && !found; i++) {
		struct libusb_device_descriptor dd;
		char path[64];
		if (libusb_get_device_descriptor(list[i], &dd) < 0)
			continue;
		if (dd.idVendor != vid || !pid_ok(sel, dd.idProduct))
			continue;
		if (sel->bus >= 0 && libusb_get_bus_number(list[i]) != sel->bus)
			continue;
		if (sel->address >= 0 && libusb_get_device_address(list[i]) != sel->address)
			continue;
		dev_path(list[i], path, sizeof(path));
		if (sel->path && strcmp(sel->path, path) != 0)
			continue;
		libusb_device_handle *h;
		int rc = libusb_open(list[i], &h);
		if (rc < 0) {
			LOGCW(LC_ST2, u->ctx_name, "cannot open %04x:%04x at %s: %s", dd.idVendor, dd.idProduct, path,
			     libusb_strerror(rc));
			continue;
		}
		if (sel->serial) {
			unsigned char s[128] = "";
			if (!dd.iSerialNumber ||
			    libusb_get_string_descriptor_ascii(h, dd.iSerialNumber, s, sizeof(s)) < 0 ||
			    strcmp((const char *)s, sel->serial) != 0) {
				libusb_close(h);
				continue;
			}
		}
		LOGCI(LC_ST2, u->ctx_name, "using SIMtrace2 device %04x:%04x at %s (address %u)", dd.idVendor,
		     dd.idProduct, path, libusb_get_device_address(list[i]));
		snprintf(u->path, sizeof(u->path), "%s", path);
		found = h;
	}
	libusb_free_device_list(list, 1);
	return found;
}

static int find_endpoints(struct st2_usb *u, int intf, int alt)
{
	struct libusb_config_descriptor *cd;
	int rc = libusb_get_active_config_descriptor(libusb_get_device(u->h), &cd);
	if (rc < 0) {
		LOGCE(LC_ST2, u->ctx_name, "reading the configuration descriptor: %s", libusb_strerror(rc));
		return -1;
	}
	for (int i = 0; i < cd->bNumInterfaces; i++) {
		const struct libusb_interface *itf = &cd->interface[i];
		for (int a = 0; a < itf->num_altsetting; a++) {
			const struct libusb_interface_descriptor *id = &itf->altsetting[a];
			if (id->bInterfaceNumber != intf || id->bAlternateSetting != alt)
				continue;
			for (int e = 0; e < id->bNumEndpoints; e++) {
				const struct libusb_endpoint_descriptor *ep = &id->endpoint[e];
				int type = ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK;
				int in = (ep->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_IN;
				if (type == LIBUSB_TRANSFER_TYPE_BULK && !in && !u->ep_out)
					u->ep_out = ep->bEndpointAddress;
				else if (type == LIBUSB_TRANSFER_TYPE_BULK && in && !u->ep_in)
					u->ep_in = ep->bEndpointAddress;
				else if (type == LIBUSB_TRANSFER_TYPE_INTERRUPT && in && !u->ep_irq)
					u->ep_irq = ep->bEndpointAddress;
			}
		}
	}
	libusb_free_config_descriptor(cd);
	if (!u->ep_out || !u->ep_in || !u->ep_irq) {
		LOGCE(LC_ST2, u->ctx_name, "interface %d altsetting %d lacks a bulk OUT, bulk IN and interrupt IN "
		     "endpoint (found OUT 0x%02x IN 0x%02x IRQ 0x%02x); is the board in cardem mode?",
		     intf, alt, u->ep_out, u->ep_in, u->ep_irq);
		return -1;
	}
	return 0;
}

struct st2_transport *st2_usb_open(const struct st2_usb_sel *sel_in, const struct st2_transport_cbs *cbs,
				   const char *log_ctx)
{
	struct st2_usb_sel sel;
	if (sel_in)
		sel = *sel_in;
	else
		st2_usb_sel_default(&sel);
	struct st2_usb *u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->base.ops = &st2_usb_ops;
	if (cbs)
		u->base.cbs = *cbs;
	snprintf(u->ctx_name, sizeof(u->ctx_name), "%s", log_ctx ? log_ctx : "-");
	u->interface = sel.interface;
	u->no_dev_mem = sel.no_dev_mem;
	u->n_in = sel.n_bulk_in < 1 ? ST2_USB_MIN_BULK_IN : sel.n_bulk_in;
	if (u->n_in > ST2_USB_MAX_BULK_IN)
		u->n_in = ST2_USB_MAX_BULK_IN;
	st2_warn_few_in(u->n_in, u->ctx_name);

	int rc = libusb_init(&u->ctx);
	if (rc < 0) {
		LOGCE(LC_ST2, u->ctx_name, "libusb_init: %s", libusb_strerror(rc));
		u->ctx = NULL;
		goto fail;
	}
	u->h = find_device(u, &sel);
	if (!u->h) {
		LOGCE(LC_ST2, u->ctx_name, "can't open USB device: no SIMtrace2 cardem device %04x:%04x matches",
		     sel.vid ? sel.vid : ST2_USB_VID, sel.pid);
		goto fail;
	}
	if (sel.config > 0) {
		int cur = -1;
		rc = libusb_get_configuration(u->h, &cur);
		if (rc == 0 && cur != sel.config) {
			rc = libusb_set_configuration(u->h, sel.config);
			if (rc < 0) {
				LOGCE(LC_ST2, u->ctx_name, "selecting configuration %d: %s", sel.config, libusb_strerror(rc));
				goto fail;
			}
		}
	}
	rc = libusb_claim_interface(u->h, sel.interface);
	if (rc < 0) {
		LOGCE(LC_ST2, u->ctx_name, "claiming interface %d: %s", sel.interface, libusb_strerror(rc));
		goto fail;
	}
	u->claimed = 1;
	rc = libusb_set_interface_alt_setting(u->h, sel.interface, sel.altsetting);
	if (rc < 0 && sel.altsetting == 0) {
		/* altsetting 0 is what a freshly claimed interface has anyway */
		LOGCW(LC_ST2, u->ctx_name, "setting altsetting 0: %s (continuing)", libusb_strerror(rc));
	} else if (rc < 0) {
		LOGCE(LC_ST2, u->ctx_name, "setting altsetting %d: %s", sel.altsetting, libusb_strerror(rc));
		goto fail;
	}
	if (find_endpoints(u, sel.interface, sel.altsetting) < 0)
		goto fail;
	if (in_setup(u, &u->irq, 1) < 0)
		goto fail;
	for (int i = 0; i < u->n_in; i++)
		if (in_setup(u, &u->in[i], 0) < 0)
			goto fail;
	LOGCI(LC_ST2, u->ctx_name, "interface %d claimed: OUT 0x%02x IN 0x%02x IRQ 0x%02x, %d bulk-IN transfers submitted",
	     sel.interface, u->ep_out, u->ep_in, u->ep_irq, u->in_flight);
	return &u->base;
fail:
	usb_close(&u->base);
	return NULL;
}

int st2_usb_get_path(struct st2_transport *t, char *buf, size_t len)
{
	struct st2_usb *u = (struct st2_usb *)t;
	return snprintf(buf, len, "%s", u->path);
}

void st2_usb_get_endpoints(struct st2_transport *t, uint8_t *ep_out, uint8_t *ep_in, uint8_t *ep_irq)
{
	struct st2_usb *u = (struct st2_usb *)t;
	if (ep_out) *ep_out = u->ep_out;
	if (ep_in) *ep_in = u->ep_in;
	if (ep_irq) *ep_irq = u->ep_irq;
}
