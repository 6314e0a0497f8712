/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zmtp.c: ZMTP 3.0 octets for the hub's sockets (zmtp.h). */
#include "zmtp.h"

#include <string.h>
#include <strings.h>

void zmtp_greeting(uint8_t g[ZMTP_GREETING_LEN])
{
	/* signature (0xff, 8 octets of padding, 0x7f), version 3.0, mechanism
	 * "NULL" padded to 20 octets, as-server 0, filler */
	memset(g, 0, ZMTP_GREETING_LEN);
	g[0] = 0xff;
	g[8] = 1;
	g[9] = 0x7f;
	g[10] = 3;
	g[11] = 0;
	memcpy(g + 12, "NULL", 4);
}

int zmtp_greeting_ok(const uint8_t g[ZMTP_GREETING_LEN])
{
	return g[0] == 0xff && (g[9] & 1) && g[10] >= 3 && memcmp(g + 12, "NULL", 5) == 0;
}

size_t zmtp_put_hdr(uint8_t h[ZMTP_HDR_MAX], uint64_t len, uint8_t flags)
{
	if (len <= 255) {
		h[0] = flags;
		h[1] = (uint8_t)len;
		return 2;
	}
	h[0] = (uint8_t)(flags | ZMTP_F_LONG);
	for (int i = 8; i >= 1; i--, len >>= 8)
		h[i] = (uint8_t)len;
	return 9;
}

size_t zmtp_get_hdr(const uint8_t *p, size_t avail, uint8_t *flags, uint64_t *size)
{
	if (avail < 2)
		return 0;
	*flags = p[0];
	if (!(p[0] & ZMTP_F_LONG)) {
		*size = p[1];
		return 2;
	}
	if (avail < 9)
		return 0;
	uint64_t s = 0;
	for (int i = 1; i <= 8; i++)
		s = s << 8 | p[i];
	*size = s;
	return 9;
}

int zmtp_is_command(const uint8_t *body, size_t n, const char *name)
{
	size_t l = strlen(name);
	return n >= 1 + l && body[0] == l && memcmp(body + 1, name, l) == 0;
}

static size_t put_prop(uint8_t *p, const char *name, const char *val)
{
	size_t nl = strlen(name), vl = strlen(val), k = 0;
	p[k++] = (uint8_t)nl;
	memcpy(p + k, name, nl);
	k += nl;
	p[k++] = (uint8_t)(vl >> 24);
	p[k++] = (uint8_t)(vl >> 16);
	p[k++] = (uint8_t)(vl >> 8);
	p[k++] = (uint8_t)vl;
	memcpy(p + k, val, vl);
	return k + vl;
}

size_t zmtp_ready_build(uint8_t *b, const char *socket_type, const char *identity)
{
	size_t k = 0;
	b[k++] = 5;
	memcpy(b + k, "READY", 5);
	k += 5;
	k += put_prop(b + k, "Socket-Type", socket_type);
	char id[ZMTP_ID_MAX + 1];
	size_t il = strlen(identity);
	memcpy(id, identity, il > ZMTP_ID_MAX ? ZMTP_ID_MAX : il);
	id[il > ZMTP_ID_MAX ? ZMTP_ID_MAX : il] = '\0';
	return k + put_prop(b + k, "Identity", id);
}

int zmtp_ready_parse(const uint8_t *body, size_t n, struct zmtp_ready *r)
{
	memset(r, 0, sizeof(*r));
	if (!zmtp_is_command(body, n, "READY"))
		return -1;
	const uint8_t *p = body + 6;
	n -= 6;
	while (n) {
		size_t nl = p[0];
		if (1 + nl + 4 > n)
			return -1;
		const uint8_t *name = p + 1;
		size_t vl = (size_t)p[1 + nl] << 24 | (size_t)p[2 + nl] << 16 | (size_t)p[3 + nl] << 8 | p[4 + nl];
		if (vl > n - (1 + nl + 4))
			return -1;
		const uint8_t *val = p + 1 + nl + 4;
		/* property names are case-insensitive */
		if (nl == 11 && !strncasecmp((const char *)name, "Socket-Type", 11)) {
			r->type = val;
			r->typelen = vl;
		} else if (nl == 8 && !strncasecmp((const char *)name, "Identity", 8)) {
			if (vl > ZMTP_ID_MAX)
				return -1;
			r->id = val;
			r->idlen = vl;
		}
		p = val + vl;
		n -= 1 + nl + 4 + vl;
	}
	return r->type ? 0 : -1;
}

int zmtp_types_fit(const char *ours, const uint8_t *peer, size_t peerlen)
{
	static const struct { const char *ours, *peers[4]; } fits[] = {
		{ "ROUTER", { "DEALER", "REQ", "ROUTER", NULL } },
		{ "DEALER", { "ROUTER", "DEALER", "REP", NULL } },
	};
	for (size_t i = 0; i < sizeof(fits) / sizeof(fits[0]); i++) {
		if (strcmp(fits[i].ours, ours))
			continue;
		for (const char *const *s = fits[i].peers; *s; s++)
			if (strlen(*s) == peerlen && !memcmp(*s, peer, peerlen))
				return 1;
	}
	return 0;
}

size_t zmtp_pong_for(const uint8_t *ping, size_t n, uint8_t *out)
{
	/* PING: name, a 2-octet TTL, up to 16 octets of context; PONG returns
	 * the context */
	if (!zmtp_is_command(ping, n, "PING") || n < 7 || n - 7 > 16)
		return 0;
	size_t ctx = n - 7, k = zmtp_put_hdr(out, 5 + ctx, ZMTP_F_COMMAND);
	out[k++] = 4;
	memcpy(out + k, "PONG", 4);
	k += 4;
	memcpy(out + k, ping + 7, ctx);
	return k + ctx;
}
