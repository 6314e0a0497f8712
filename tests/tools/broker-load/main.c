/* SPDX-License-Identifier: GPL-2.0-or-later */
/* broker-load: load generator for tests/bench/broker_bench.sh.  Prints
 * numbers, never judges them.
 *
 *   broker-load rtt --port P [--frames N]
 *       one connection, one frame in flight: round-trip latency through the
 *       broker (p50/p90/p99), then the same against a plain TCP echo server
 *       run inside this tool, and the ratio.
 *   broker-load tput --ports P1,P2,... [--seconds S] [--window W]
 *       one connection per port, W frames in flight on each: frames/s.
 *
 * The peer answers PINGs; frames are IPA-framed RSPRO-sized PDUs (44 octets,
 * a tpduModemToCard). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const uint8_t PDU[] = {
	0x30, 0x31, 0x80, 0x01, 0x02, 0x81, 0x01, 0x00, 0xa2, 0x29, 0xac, 0x27, 0x30, 0x06, 0x02, 0x01,
	0x17, 0x02, 0x01, 0x00, 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x05, 0x30, 0x0c, 0x01, 0x01,
	0x00, 0x01, 0x01, 0x00, 0x01, 0x01, 0x00, 0x01, 0x01, 0x00, 0x04, 0x07, 0xa0, 0xa4, 0x00, 0x00,
	0x02, 0x3f, 0x00,
};
#define FRAME_LEN (3 + 1 + sizeof(PDU))

static uint8_t frame[FRAME_LEN];

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int connect_port(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("connect");
		exit(1);
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Per-connection receive state: counts whole RSPRO frames, answers PINGs. */
struct rx {
	uint8_t buf[65536];
	size_t len;
};

/* Read what is there; returns RSPRO frames completed, -1 on EOF/error. */
static int rx_read(int fd, struct rx *r)
{
	ssize_t n = read(fd, r->buf + r->len, sizeof(r->buf) - r->len);
	if (n <= 0)
		return -1;
	r->len += (size_t)n;
	int frames = 0;
	size_t off = 0;
	while (r->len - off >= 3) {
		size_t fl = 3 + (size_t)((r->buf[off] << 8) | r->buf[off + 1]);
		if (r->len - off < fl)
			break;
		if (r->buf[off + 2] == 0xfe && fl == 4 && r->buf[off + 3] == 0x00) {
			static const uint8_t pong[] = { 0, 1, 0xfe, 1 };
			if (write(fd, pong, sizeof(pong)) < 0)
				return -1;
		} else if (r->buf[off + 2] == 0xee) {
			frames++;
		}
		off += fl;
	}
	memmove(r->buf, r->buf + off, r->len - off);
	r->len -= off;
	return frames;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

struct pct { double p50, p90, p99, mean; };

static struct pct measure(int fd, int frames)
{
	int64_t *lat = calloc((size_t)frames, sizeof(int64_t));
	struct rx *r = calloc(1, sizeof(*r));
	double sum = 0;
	for (int i = -frames / 10; i < frames; i++) {	/* 10 % warm-up */
		int64_t t0 = now_ns();
		if (write(fd, frame, FRAME_LEN) != (ssize_t)FRAME_LEN) {
			perror("write");
			exit(1);
		}
		int got = 0;
		while (!got) {
			int n = rx_read(fd, r);
			if (n < 0) {
				fprintf(stderr, "connection closed\n");
				exit(1);
			}
			got = n;
		}
		if (i >= 0) {
			lat[i] = now_ns() - t0;
			sum += (double)lat[i];
		}
	}
	qsort(lat, (size_t)frames, sizeof(int64_t), cmp64);
	struct pct p = {
		lat[frames / 2] / 1000.0, lat[frames * 9 / 10] / 1000.0,
		lat[frames * 99 / 100] / 1000.0, sum / frames / 1000.0,
	};
	free(lat);
	free(r);
	return p;
}

/* The plain TCP echo server used as the baseline. */
static void *plain_echo(void *arg)
{
	int lfd = *(int *)arg;
	int fd = accept(lfd, NULL, NULL);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	uint8_t buf[65536];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		if (write(fd, buf, (size_t)n) != n)
			break;
	}
	close(fd);
	return NULL;
}

static int cmd_rtt(int port, int frames)
{
	int fd = connect_port(port);
	struct pct b = measure(fd, frames);
	close(fd);

	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t sl = sizeof(sa);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 1) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0) {
		perror("plain echo");
		return 1;
	}
	pthread_t th;
	pthread_create(&th, NULL, plain_echo, &lfd);
	fd = connect_port(ntohs(sa.sin_port));
	struct pct p = measure(fd, frames);
	close(fd);
	pthread_join(th, NULL);
	close(lfd);

	printf("rtt_frames %d\n", frames);
	printf("rtt_broker_us p50 %.1f p90 %.1f p99 %.1f mean %.1f\n", b.p50, b.p90, b.p99, b.mean);
	printf("rtt_plain_us p50 %.1f p90 %.1f p99 %.1f mean %.1f\n", p.p50, p.p90, p.p99, p.mean);
	printf("rtt_ratio p50 %.2f p90 %.2f p99 %.2f\n", b.p50 / p.p50, b.p90 / p.p90, b.p99 / p.p99);
	return 0;
}

static int cmd_tput(const char *ports, double seconds, int window)
{
	int fds[1024], n = 0;
	char *dup = strdup(ports);
	for (char *t = strtok(dup, ","); t && n < 1024; t = strtok(NULL, ","))
		fds[n++] = connect_port(atoi(t));
	free(dup);
	struct rx *rx = calloc((size_t)n, sizeof(*rx));
	struct pollfd *pf = calloc((size_t)n, sizeof(*pf));
	uint8_t *burst = malloc(FRAME_LEN * (size_t)window);
	for (int w = 0; w < window; w++)
		memcpy(burst + (size_t)w * FRAME_LEN, frame, FRAME_LEN);
	for (int i = 0; i < n; i++) {
		pf[i] = (struct pollfd){ fds[i], POLLIN, 0 };
		if (write(fds[i], burst, FRAME_LEN * (size_t)window) < 0)
			return 1;
	}
	uint64_t total = 0;
	int64_t end = now_ns() + (int64_t)(seconds * 1e9), t0 = now_ns();
	while (now_ns() < end) {
		if (poll(pf, (nfds_t)n, 100) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			if (!(pf[i].revents & POLLIN))
				continue;
			int k = rx_read(fds[i], &rx[i]);
			if (k < 0) {
				fprintf(stderr, "connection %d closed\n", i);
				return 1;
			}
			total += (uint64_t)k;
			/* refill what came back */
			if (k > 0 && write(fds[i], burst, FRAME_LEN * (size_t)k) < 0)
				return 1;
		}
	}
	double el = (double)(now_ns() - t0) / 1e9;
	printf("tput_connections %d window %d seconds %.1f\n", n, window, el);
	printf("tput_frames_per_s %.0f\n", (double)total / el);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	free(rx);
	free(pf);
	free(burst);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: broker-load rtt --port P [--frames N]\n"
		       "       broker-load tput --ports P1,P2,... [--seconds S] [--window W]\n"
		       "rtt: latency through the broker and through a plain TCP echo, and the ratio.\n"
		       "tput: frames/s with W frames in flight per connection.\n");
		return argc < 2 ? 2 : 0;
	}
	int port = 0, frames = 10000, window = 8;
	double seconds = 5;
	const char *ports = NULL;
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--port"))
			port = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--frames"))
			frames = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--ports"))
			ports = argv[i + 1];
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--window"))
			window = atoi(argv[i + 1]);
	}
	frame[0] = 0;
	frame[1] = (uint8_t)(1 + sizeof(PDU));
	frame[2] = 0xee;
	frame[3] = 0x07;
	memcpy(frame + 4, PDU, sizeof(PDU));
	if (frames < 10)
		frames = 10;
	if (window < 1)
		window = 1;
	if (!strcmp(argv[1], "rtt") && port)
		return cmd_rtt(port, frames);
	if (!strcmp(argv[1], "tput") && ports)
		return cmd_tput(ports, seconds, window);
	fprintf(stderr, "broker-load: bad arguments (see --help)\n");
	return 2;
}
