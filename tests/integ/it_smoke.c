// SPDX-License-Identifier: MIT OR Apache-2.0
/* Smoke: our TX socket in A sends frames, our RX socket in B receives every one byte-for-byte. */
#include <string.h>
#include <xdpsock/xdpsock.h>

#include "lab.h"

static void log_cb(enum xdpsock_log_level lvl, const char *msg, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "  [xdpsock %d] %s\n", lvl, msg);
}

int main(void)
{
	struct xdpsock_tx *tx;
	struct xdpsock_rx *rx;
	struct xdpsock_mode m;
	struct xdpsock_stats st;
	struct lab *l;
	uint8_t frame[256];
	char buf[256];
	uint32_t got = 0, i, n = 100;
	int fds, maps, err, tries;

	lab_require_root("it_smoke");
	xdpsock_set_log(log_cb, NULL);
	l = lab_up(1);
	fds = proc_fd_count();
	maps = proc_map_count();

	err = xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, NULL);
	CHECK(err == 0, "rx_create: %d %s", err, xdpsock_errmsg());
	xdpsock_rx_mode(rx, &m);
	printf("rx mode: %s\n", xdpsock_mode_str(&m, buf, sizeof(buf)));
	err = xdpsock_tx_create(&tx, lab_ifindex(l, LAB_A), 0, NULL);
	CHECK(err == 0, "tx_create: %d %s", err, xdpsock_errmsg());
	xdpsock_tx_mode(tx, &m);
	printf("tx mode: %s\n", xdpsock_mode_str(&m, buf, sizeof(buf)));
	CHECK(lab_xdp_attached(l, LAB_B), "no XDP program on vb");

	for (i = 0; i < n; i++) {
		uint32_t len = lab_udp_frame(l, LAB_A, frame, 100, i, 9000);

		for (tries = 0; (err = xdpsock_tx_send(tx, frame, len)) == -EAGAIN && tries < 1000; tries++)
			xdpsock_tx_wait(tx, 10);
		CHECK(err == 0, "send %u: %d", i, err);
	}
	for (tries = 0; got < n && tries < 200; tries++) {
		int k = xdpsock_rx_wait(rx, 10);

		CHECK(k >= 0, "rx_wait %d", k);
		for (int j = 0; j < k; j++) {
			uint32_t len;
			const uint8_t *p = xdpsock_rx_peek_at(rx, (uint32_t)j, &len);
			uint32_t want = lab_udp_frame(l, LAB_A, frame, 100, got, 9000);

			CHECK(p, "peek");
			CHECK(len == want && !memcmp(p, frame, len), "frame %u differs (len %u)", got, len);
			got++;
		}
		if (k)
			xdpsock_rx_commit_n(rx, (uint32_t)k);
	}
	CHECK(got == n, "received %u of %u", got, n);
	xdpsock_rx_stats(rx, &st);
	printf("rx: frames %llu, census total %u free %u fill %u user %u\n", (unsigned long long)st.rx_frames,
	       st.frames.total, st.frames.free, st.frames.fill, st.frames.user);
	xdpsock_tx_stats(tx, &st);
	printf("tx: frames %llu completed %llu wakeups %llu\n", (unsigned long long)st.tx_frames,
	       (unsigned long long)st.tx_completed, (unsigned long long)st.tx_wakeups);
	xdpsock_tx_destroy(tx);
	xdpsock_rx_destroy(rx);
	CHECK(!lab_xdp_attached(l, LAB_B), "XDP program left on vb");
	CHECK(proc_fd_count() == fds, "fd leak: %d -> %d", fds, proc_fd_count());
	CHECK(proc_map_count() == maps, "mapping leak: %d -> %d", maps, proc_map_count());
	printf("PASS it_smoke: %u frames\n", got);
	return T_PASS;
}
