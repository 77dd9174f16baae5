// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * TX to an independent receiver: our TX socket on va sends 1,000 frames (lab_udp_frame, lengths
 * 60..1059) with the batch API; an AF_PACKET socket on vb in namespace B sees every one, byte for
 * byte and in order, and no frame twice.  The TX counters and the census agree at the end.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <xdpsock/xdpsock.h>

#include "lab.h"

#define COUNT	1000
#define BURST	64
#define DPORT	9300

int main(void)
{
	struct xdpsock_tx *tx;
	struct xdpsock_stats st;
	struct xdpsock_mode m;
	uint8_t buf[2048], want[2048];
	uint32_t sent = 0, got = 0, others = 0;
	char mbuf[256];
	double t0, end;
	int pfd, err, loops;
	struct lab *l;

	lab_require_root("it_tx_packet");
	lab_log_capture();
	l = lab_up(1);
	pfd = lab_packet_socket(l, LAB_B);

	err = xdpsock_tx_create(&tx, lab_ifindex(l, LAB_A), 0, NULL);
	CHECK(err == 0, "tx_create on va: %d %s", err, xdpsock_errmsg());
	CHECK(xdpsock_tx_mode(tx, &m) == 0, "tx_mode");
	printf("tx mode: %s\n", xdpsock_mode_str(&m, mbuf, sizeof(mbuf)));
	CHECK(m.attach == XDPSOCK_ATTACH_NONE && !m.zerocopy, "a TX socket on veth: copy mode, no XDP program");
	CHECK(!lab_xdp_attached(l, LAB_A) && !lab_xdp_attached(l, LAB_B), "a TX socket attached an XDP program");

	t0 = lab_now();
	end = t0 + 30;
	for (loops = 0; got < COUNT; loops++) {
		int n;

		CHECK(lab_now() < end && loops < 100000, "AF_PACKET saw %u of %u frames (%u sent) in 30 s", got, COUNT,
		      sent);
		if (sent < COUNT && sent == got) {
			uint32_t k = COUNT - sent < BURST ? COUNT - sent : BURST;

			lab_tx_frames(tx, l, LAB_A, sent, k, 0, DPORT);
			sent += k;
		}
		n = lab_packet_recv(pfd, buf, sizeof(buf), 1000);
		if (n == 0)
			continue;
		if (lab_frame_dport(buf, (uint32_t)n) != DPORT) {
			others++;
			continue;
		}
		CHECK(got < sent, "frame %u arrived but only %u were sent", got, sent);
		lab_udp_frame(l, LAB_A, want, lab_frame_len(got), got, DPORT);
		if ((uint32_t)n != lab_frame_len(got) || memcmp(buf, want, (size_t)n)) {
			uint32_t s = 0;

			memcpy(&s, buf + 42, 4);
			CHECK(0, "expected frame %u (%u bytes), got seq %u (%d bytes)", got, lab_frame_len(got), s, n);
		}
		got++;
	}
	printf("AF_PACKET received %u frames in %.3f s (%u other frames ignored)\n", got, lab_now() - t0, others);
	/* No duplicates turn up afterwards. */
	for (loops = 0; loops < 100; loops++) {
		int n = lab_packet_recv(pfd, buf, sizeof(buf), 100);

		if (!n)
			break;
		CHECK(lab_frame_dport(buf, (uint32_t)n) != DPORT, "a frame on port %u arrived after all %u", DPORT, COUNT);
	}

	/* Every frame completed: reclaimed or waiting in the completion ring; the census adds up. */
	lab_tx_settle(tx, COUNT, &st);
	CHECK(st.tx_frames == COUNT, "tx_frames %llu", (unsigned long long)st.tx_frames);
	CHECK(st.tx_invalid_descs == 0 && st.tx_bad_descs == 0, "invalid descriptors: kernel %llu, library %llu",
	      (unsigned long long)st.tx_invalid_descs, (unsigned long long)st.tx_bad_descs);
	CHECK(st.frames.total == 4096 && st.frames.free + st.frames.user + st.frames.comp == 4096 && st.frames.tx == 0 &&
	      st.frames.kernel == 0 && st.frames.fill == 0 && st.frames.rx == 0,
	      "idle census: total %u free %u user %u tx %u comp %u kernel %u", st.frames.total, st.frames.free,
	      st.frames.user, st.frames.tx, st.frames.comp, st.frames.kernel);
	printf("tx: frames %llu, reclaimed %llu + %u in the completion ring, wakeups %llu\n",
	       (unsigned long long)st.tx_frames, (unsigned long long)st.tx_completed, st.frames.comp,
	       (unsigned long long)st.tx_wakeups);
	xdpsock_tx_destroy(tx);
	close(pfd);
	printf("PASS it_tx_packet: %u frames byte-for-byte\n", got);
	return T_PASS;
}
