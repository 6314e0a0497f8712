/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fnv.h: the one small non-cryptographic hash of the project (FNV-1a,
 * 32 bits), for hash tables of names and routing ids and for seeds. */
#ifndef REMSIM_FNV_H
#define REMSIM_FNV_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t fnv1a(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

#endif
