/* SPDX-License-Identifier: GPL-2.0-or-later */
/* target.c: what a reader's DEVICENAME means (docs/ifd.md).
 *   "ClientID:SlotNr:ServerIp:ServerPort", each part optional (osmo-remsim's
 *   format; defaults 0, 0, 127.0.0.1, 9998): the role that remsim-client
 *   --ifd runs for these values, run dir BASE/remsim-ifd-C<id>-<slot> with
 *   BASE = $REMSIM_IFD_RUN_BASE, else /run as root, else $XDG_RUNTIME_DIR,
 *   $TMPDIR or /tmp (remsim-client's own rule); socket RUN_DIR/ifd.sock.
 *   A path (contains '/'): a client role config; the socket is the first
 *   "ifd:PATH" transport in client.slots, else in group client; the run
 *   dir is its run_dir (default /run/remsim).
 * "/dev/null" (pcscd's "no device") counts as the empty osmo form. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libconfig.h>

#include "ifd_remsim.h"
#include "tmpdir.h"

static int num(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* the client's run dir base (remsim-client --ifd picks the same one) */
static const char *ifd_run_base(void)
{
	const char *b = getenv("REMSIM_IFD_RUN_BASE");
	return b && *b ? b : run_base();
}

static int parse_osmo(const char *dev, struct ifd_target *t, char *err, size_t errlen)
{
	char buf[512], *parts[4] = { NULL, NULL, NULL, NULL };
	snprintf(buf, sizeof(buf), "%s", strcmp(dev, "/dev/null") ? dev : "");
	int n = 0;
	for (char *p = buf; *buf && p; n++) {
		if (n == 4) {
			snprintf(err, errlen, "DEVICENAME '%s': more than ClientID:SlotNr:ServerIp:ServerPort", dev);
			return -1;
		}
		parts[n] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	long port = 9998;
	if ((parts[0] && *parts[0] && num(parts[0], 0, 1023, &t->client_id) < 0) ||
	    (parts[1] && *parts[1] && num(parts[1], 0, 1023, &t->slot_nr) < 0) ||
	    (parts[3] && *parts[3] && num(parts[3], 1, 65535, &port) < 0)) {
		snprintf(err, errlen, "DEVICENAME '%s': ClientID and SlotNr must be 0..1023, "
			 "ServerPort 1..65535", dev);
		return -1;
	}
	t->server_port = (int)port;
	if (parts[2] && *parts[2])
		snprintf(t->server_host, sizeof(t->server_host), "%s", parts[2]);
	snprintf(t->run_dir, sizeof(t->run_dir), "%.400s/remsim-ifd-C%ld-%ld", ifd_run_base(), t->client_id,
		 t->slot_nr);
	snprintf(t->sock_path, sizeof(t->sock_path), "%.400s/ifd.sock", t->run_dir);
	return 0;
}

static const char *ifd_path_of(config_setting_t *g)
{
	const char *tr;
	if (g && config_setting_lookup_string(g, "transport", &tr) == CONFIG_TRUE && !strncmp(tr, "ifd:", 4) &&
	    tr[4])
		return tr + 4;
	return NULL;
}

static int parse_config(const char *path, struct ifd_target *t, char *err, size_t errlen)
{
	config_t cf;
	config_init(&cf);
	if (config_read_file(&cf, path) != CONFIG_TRUE) {
		if (config_error_type(&cf) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "DEVICENAME '%s': cannot read it", path);
		else
			snprintf(err, errlen, "DEVICENAME '%s': %s at line %d", path, config_error_text(&cf),
				 config_error_line(&cf));
		config_destroy(&cf);
		return -1;
	}
	const char *rd = "/run/remsim", *sock = NULL;
	config_lookup_string(&cf, "run_dir", &rd);
	config_setting_t *g = config_lookup(&cf, "client");
	config_setting_t *slots = g ? config_setting_get_member(g, "slots") : NULL;
	for (int i = 0; slots && !sock && i < config_setting_length(slots); i++)
		sock = ifd_path_of(config_setting_get_elem(slots, (unsigned)i));
	if (!sock)
		sock = ifd_path_of(g);
	if (!sock) {
		snprintf(err, errlen, "DEVICENAME '%s': no slot with transport = \"ifd:PATH\" in group client",
			 path);
		config_destroy(&cf);
		return -1;
	}
	snprintf(t->sock_path, sizeof(t->sock_path), "%s", sock);
	snprintf(t->run_dir, sizeof(t->run_dir), "%s", rd);
	snprintf(t->config, sizeof(t->config), "%s", path);
	config_destroy(&cf);
	return 0;
}

int ifd_target_parse(const char *devname, struct ifd_target *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->server_host, sizeof(t->server_host), "127.0.0.1");
	t->server_port = 9998;
	if (!devname)
		devname = "";
	if (strlen(devname) >= IFD_PATH_MAX - 16) {
		snprintf(err, errlen, "DEVICENAME too long");
		return -1;
	}
	if (strchr(devname, '/') && strcmp(devname, "/dev/null"))
		return parse_config(devname, t, err, errlen);
	return parse_osmo(devname, t, err, errlen);
}
