// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * A pair as an echo server: xdpsock_pair_create on vb queue 0; every frame received on its RX half
 * is sent back through its TX half with the MAC addresses swapped (batch API, both halves on one
 * UMEM, one thread).  Senders in namespace A: first an AF_PACKET socket on va, then our own TX
 * socket on va; the AF_PACKET socket on va receives every echo, 1,000 per sender, byte for byte
 * (the original with the MACs swapped), in order.  Counters and census of the pair agree.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <xdpsock/xdpsock.h>

#include "lab.h"

#define COUNT	1000u
#define BURST	32u
#define DPORT	9990

static struct lab *l;
static uint64_t echoed;

/* Echo whatever the pair has received; returns how many frames went back. */
static uint32_t echo(struct xdpsock_tx *tx, struct xdpsock_rx *rx)
{
	int n = xdpsock_rx_seek_n(rx, 64), m, i;

	if (n <= 0)
		return 0;
	m = xdpsock_tx_seek_n(tx, (uint32_t)n);
	if (m <= 0) {
		xdpsock_tx_kick(tx);	/* no free frame: let completions come back */
		return 0;
	}
	for (i = 0; i < m; i++) {
		uint32_t len;
		const uint8_t *p = xdpsock_rx_peek_at(rx, (uint32_t)i, &len);
		uint8_t *q;

		CHECK(p, "rx_peek_at(%d): %s", i, strerror(errno));
		q = xdpsock_tx_peek_at(tx, (uint32_t)i, len);
		CHECK(q, "tx_peek_at(%d, %u): %s", i, len, strerror(errno));
		memcpy(q, p + 6, 6);	/* destination := source */
		memcpy(q + 6, p, 6);	/* source := destination */
		memcpy(q + 12, p + 12, len - 12);
	}
	CHECK(xdpsock_tx_commit_n(tx, (uint32_t)m) == m, "tx_commit_n(%d)", m);
	CHECK(xdpsock_rx_commit_n(rx, (uint32_t)m) == m, "rx_commit_n(%d)", m);
	CHECK(xdpsock_tx_kick(tx) >= 0, "kick");
	echoed += (uint64_t)m;
	return (uint32_t)m;
}

/* The echo of frame @seq, as the AF_PACKET socket on va must see it. */
static uint32_t expected_echo(uint32_t seq, uint8_t *buf)
{
	uint32_t len = lab_udp_frame(l, LAB_A, buf, lab_frame_len(seq), seq, DPORT);
	uint8_t mac[6];

	memcpy(mac, buf, 6);
	memcpy(buf, buf + 6, 6);
	memcpy(buf + 6, mac, 6);
	return len;
}

/* @our_tx NULL: the AF_PACKET socket sends; else our TX socket on va does. */
static void run(struct xdpsock_tx *ptx, struct xdpsock_rx *prx, int pfd, struct xdpsock_tx *our_tx, const char *who)
{
	uint8_t buf[2048], want[2048];
	uint32_t sent = 0, got = 0, others = 0, wlen;
	double t0 = lab_now(), end = t0 + 30;
	int loops, n;

	for (loops = 0; got < COUNT; loops++) {
		CHECK(lab_now() < end && loops < 1000000, "%s: %u of %u echoes (%u sent, %llu echoed) in 30 s", who, got,
		      COUNT, sent, (unsigned long long)echoed);
		if (sent == got && sent < COUNT) {
			uint32_t k = COUNT - sent < BURST ? COUNT - sent : BURST, i;

			if (our_tx) {
				lab_tx_frames(our_tx, l, LAB_A, sent, k, 0, DPORT);
			} else {
				for (i = 0; i < k; i++) {
					uint32_t len = lab_udp_frame(l, LAB_A, buf, lab_frame_len(sent + i), sent + i, DPORT);

					CHECK(send(pfd, buf, len, 0) == (ssize_t)len, "AF_PACKET send: %s", strerror(errno));
				}
			}
			sent += k;
		}
		echo(ptx, prx);
		n = lab_packet_recv(pfd, buf, sizeof(buf), 1);
		if (n <= 0)
			continue;
		if (lab_frame_dport(buf, (uint32_t)n) != DPORT) {
			others++;
			continue;
		}
		wlen = expected_echo(got, want);
		if ((uint32_t)n != wlen || memcmp(buf, want, wlen)) {
			uint32_t s = 0;

			memcpy(&s, buf + 42, 4);
			CHECK(0, "%s: echo %u: got seq %u, %d bytes (want %u)%s", who, got, s, n, wlen,
			      !memcmp(buf, l->mac[LAB_B], 6) ? ": MACs not swapped" : "");
		}
		got++;
	}
	/* Nothing more comes back. */
	for (loops = 0; loops < 20; loops++) {
		echo(ptx, prx);
		n = lab_packet_recv(pfd, buf, sizeof(buf), 5);
		CHECK(n <= 0 || lab_frame_dport(buf, (uint32_t)n) != DPORT, "%s: an echo after all %u", who, COUNT);
	}
	printf("%s: %u frames echoed byte-for-byte in %.3f s (%u other frames on va)\n", who, got, lab_now() - t0,
	       others);
}

int main(void)
{
	struct xdpsock_tx *ptx, *our_tx;
	struct xdpsock_rx *prx;
	struct xdpsock_stats st;
	struct xdpsock_mode mt, mr;
	char mbuf[256];
	int pfd, err;

	lab_require_root("it_pair");
	lab_log_capture();
	l = lab_up(1);
	pfd = lab_packet_socket(l, LAB_A);
	err = xdpsock_pair_create(&ptx, &prx, lab_ifindex(l, LAB_B), 0, NULL);
	CHECK(err == 0, "pair_create on vb: %d %s", err, xdpsock_errmsg());
	CHECK(xdpsock_tx_mode(ptx, &mt) == 0 && xdpsock_rx_mode(prx, &mr) == 0, "mode");
	printf("pair: %s\n", xdpsock_mode_str(&mr, mbuf, sizeof(mbuf)));
	CHECK(xdpsock_tx_fd(ptx) == xdpsock_rx_fd(prx), "the halves of a pair are one socket");
	CHECK(!mr.shared_umem && mr.attach == XDPSOCK_ATTACH_NATIVE, "pair RX mode");

	run(ptx, prx, pfd, NULL, "AF_PACKET sender");
	err = xdpsock_tx_create(&our_tx, lab_ifindex(l, LAB_A), 0, NULL);
	CHECK(err == 0, "tx_create on va: %s", xdpsock_errmsg());
	run(ptx, prx, pfd, our_tx, "xdpsock TX sender");
	xdpsock_tx_destroy(our_tx);

	lab_tx_settle(ptx, 2 * COUNT, &st);	/* every echo completed */
	CHECK(xdpsock_rx_stats(prx, &st) == 0, "stats");
	CHECK(echoed == 2 * COUNT && st.rx_frames == 2 * COUNT && st.tx_frames == 2 * COUNT &&
	      st.tx_completed + st.frames.comp == 2 * COUNT,
	      "pair counters: echoed %llu, rx %llu, tx %llu, completed %llu + %u", (unsigned long long)echoed,
	      (unsigned long long)st.rx_frames, (unsigned long long)st.tx_frames, (unsigned long long)st.tx_completed,
	      st.frames.comp);
	CHECK(st.frames.total == 4096 && st.frames.fill == 2048 && st.frames.free + st.frames.user + st.frames.comp == 2048 &&
	      st.frames.kernel == 0 && st.frames.tx == 0 && st.frames.rx == 0,
	      "idle census of the pair: free %u fill %u user %u rx %u tx %u comp %u kernel %u", st.frames.free,
	      st.frames.fill, st.frames.user, st.frames.rx, st.frames.tx, st.frames.comp, st.frames.kernel);
	/* Either half may go first; the socket (and with it the program) goes with the second. */
	xdpsock_rx_destroy(prx);
	CHECK(lab_xdp_attached(l, LAB_B), "the program left with the first half of the pair");
	xdpsock_tx_destroy(ptx);
	close(pfd);
	CHECK(!lab_xdp_attached(l, LAB_B), "program left on vb");
	printf("PASS it_pair: %u echoes\n", 2 * COUNT);
	return T_PASS;
}
