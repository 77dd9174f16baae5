// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Modes on a 4-queue veth pair:
 *  - RX with attach_mode NATIVE and GENERIC: each receives frames, xdpsock_rx_mode() reports the
 *    mode, and the kernel agrees (bpf_xdp_query: XDP_ATTACHED_DRV / XDP_ATTACHED_SKB);
 *  - queue steering: with native XDP a frame sent on va TX queue q arrives on vb RX queue q, so
 *    sockets on vb queues 0 and 1, fed by TX sockets on va queues 0 and 1, each receive exactly
 *    their own queue's frames and none of the other's;
 *  - copy mode forced works (zerocopy false);
 *  - zero-copy forced fails with -EOPNOTSUPP and "not supported by the driver" (TX, RX, pair),
 *    leaving no program behind;
 *  - AUTO falls back to copy, says so in the log, and reports zerocopy=false.
 */
#include <errno.h>
#include <string.h>
#include <linux/if_link.h>
#include <xdpsock/xdpsock.h>

#include "lab.h"

#define N 200

static struct lab *l;

static struct xdpsock_opts opts_of(enum xdpsock_copy_mode copy, enum xdpsock_attach_mode attach)
{
	struct xdpsock_opts o = { .sz = sizeof(o), .copy_mode = copy, .attach_mode = attach };

	return o;
}

/* va queue @txq -> vb queue @rxq, N frames on @dport, received byte-for-byte. */
static void send_receive(struct xdpsock_rx *rx, uint32_t txq, uint16_t dport, const struct xdpsock_opts *txo)
{
	struct xdpsock_tx *tx;
	uint32_t got, others = 0;
	int err;

	err = xdpsock_tx_create(&tx, lab_ifindex(l, LAB_A), txq, txo);
	CHECK(err == 0, "tx_create on va queue %u: %d %s", txq, err, xdpsock_errmsg());
	lab_tx_frames(tx, l, LAB_A, 0, N, 0, dport);
	got = lab_rx_frames(rx, l, LAB_A, 0, N, 0, dport, 5000, &others);
	CHECK(got == N, "received %u of %u frames on port %u", got, N, dport);
	xdpsock_tx_destroy(tx);
}

static void attach_mode(enum xdpsock_attach_mode want, int kernel_mode, const char *name)
{
	struct xdpsock_opts o = opts_of(XDPSOCK_COPY_AUTO, want);
	struct xdpsock_rx *rx;
	struct xdpsock_mode m;
	char buf[256];
	int err, km = -1;
	uint32_t id;

	err = xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, &o);
	CHECK(err == 0, "rx_create %s: %d %s", name, err, xdpsock_errmsg());
	CHECK(xdpsock_rx_mode(rx, &m) == 0, "rx_mode");
	printf("%s: %s\n", name, xdpsock_mode_str(&m, buf, sizeof(buf)));
	CHECK(m.attach == want, "%s: rx_mode reports attach %d", name, m.attach);
	CHECK(strstr(buf, want == XDPSOCK_ATTACH_NATIVE ? "native XDP" : "generic XDP"), "mode string '%s'", buf);
	id = lab_xdp_query(l, LAB_B, &km);
	CHECK(id != 0 && km == kernel_mode, "%s: kernel reports program %u in attach mode %d", name, id, km);
	send_receive(rx, 0, 9500, NULL);
	xdpsock_rx_destroy(rx);
	CHECK(!lab_xdp_attached(l, LAB_B), "%s: XDP program left on vb", name);
}

static void steering(void)
{
	struct xdpsock_opts o = opts_of(XDPSOCK_COPY_AUTO, XDPSOCK_ATTACH_NATIVE);
	struct xdpsock_rx *rx0, *rx1;
	struct xdpsock_tx *tx0, *tx1;
	uint32_t got, others0 = 0, others1 = 0;
	int err;

	err = xdpsock_rx_create(&rx0, lab_ifindex(l, LAB_B), 0, &o);
	CHECK(err == 0, "rx_create vb queue 0: %d %s", err, xdpsock_errmsg());
	err = xdpsock_rx_create(&rx1, lab_ifindex(l, LAB_B), 1, &o);
	CHECK(err == 0, "rx_create vb queue 1: %d %s", err, xdpsock_errmsg());
	err = xdpsock_tx_create(&tx0, lab_ifindex(l, LAB_A), 0, NULL);
	CHECK(err == 0, "tx_create va queue 0: %d %s", err, xdpsock_errmsg());
	err = xdpsock_tx_create(&tx1, lab_ifindex(l, LAB_A), 1, NULL);
	CHECK(err == 0, "tx_create va queue 1: %d %s", err, xdpsock_errmsg());

	/* Queue 1 first, then queue 0: each socket must see its own and only its own. */
	lab_tx_frames(tx1, l, LAB_A, 0, N, 0, 9501);
	lab_tx_frames(tx0, l, LAB_A, 0, N, 0, 9500);
	got = lab_rx_frames(rx1, l, LAB_A, 0, N, 0, 9501, 5000, &others1);
	CHECK(got == N, "vb queue 1 received %u of the %u frames sent on va queue 1", got, N);
	got = lab_rx_frames(rx0, l, LAB_A, 0, N, 0, 9500, 5000, &others0);
	CHECK(got == N, "vb queue 0 received %u of the %u frames sent on va queue 0", got, N);
	/* Anything left over (in particular the other queue's frames) shows up as "others". */
	CHECK(lab_rx_frames(rx1, l, LAB_A, N, 1, 0, 9501, 100, &others1) == 0, "queue 1: an extra frame");
	CHECK(lab_rx_frames(rx0, l, LAB_A, N, 1, 0, 9500, 100, &others0) == 0, "queue 0: an extra frame");
	CHECK(others0 == 0 && others1 == 0, "frames on the wrong queue: %u on queue 0, %u on queue 1", others0,
	      others1);
	printf("steering: va queue 0 -> vb queue 0 (%u frames), va queue 1 -> vb queue 1 (%u frames), none crossed\n",
	       N, N);
	xdpsock_tx_destroy(tx0);
	xdpsock_tx_destroy(tx1);
	xdpsock_rx_destroy(rx1);
	xdpsock_rx_destroy(rx0);
	CHECK(!lab_xdp_attached(l, LAB_B), "XDP program left on vb");
}

static void copy_forced(void)
{
	struct xdpsock_opts o = opts_of(XDPSOCK_COPY_FORCE, XDPSOCK_ATTACH_AUTO);
	struct xdpsock_rx *rx;
	struct xdpsock_mode m;
	int err;

	lab_log_reset();
	err = xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, &o);
	CHECK(err == 0, "rx_create copy forced: %d %s", err, xdpsock_errmsg());
	CHECK(xdpsock_rx_mode(rx, &m) == 0 && !m.zerocopy, "copy forced: zerocopy %d", m.zerocopy);
	CHECK(!lab_log_has(XDPSOCK_LOG_INFO, "zero-copy is not available"), "copy forced still tried zero-copy");
	send_receive(rx, 0, 9502, &o);
	xdpsock_rx_destroy(rx);
	printf("copy forced: RX and TX work, zerocopy=false\n");
}

static void zerocopy_forced(void)
{
	struct xdpsock_opts o = opts_of(XDPSOCK_COPY_ZEROCOPY, XDPSOCK_ATTACH_AUTO);
	struct xdpsock_tx *tx = (void *)1;
	struct xdpsock_rx *rx = (void *)1;
	int err;

	err = xdpsock_tx_create(&tx, lab_ifindex(l, LAB_A), 0, &o);
	CHECK(err == -EOPNOTSUPP && errno == EOPNOTSUPP && !tx, "tx zero-copy on veth: %d", err);
	CHECK(strstr(xdpsock_errmsg(), "zero-copy is not supported by the driver of va"), "errmsg '%s'",
	      xdpsock_errmsg());
	err = xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 1, &o);
	CHECK(err == -EOPNOTSUPP && !rx, "rx zero-copy on veth: %d", err);
	CHECK(strstr(xdpsock_errmsg(), "zero-copy is not supported by the driver of vb"), "errmsg '%s'",
	      xdpsock_errmsg());
	tx = (void *)1;
	rx = (void *)1;
	err = xdpsock_pair_create(&tx, &rx, lab_ifindex(l, LAB_B), 2, &o);
	CHECK(err == -EOPNOTSUPP && !tx && !rx, "pair zero-copy on veth: %d", err);
	CHECK(strstr(xdpsock_errmsg(), "not supported by the driver"), "errmsg '%s'", xdpsock_errmsg());
	CHECK(!lab_xdp_attached(l, LAB_B), "a failed zero-copy RX left a program on vb");
	printf("zero-copy forced: -EOPNOTSUPP: %s\n", xdpsock_errmsg());
}

static void auto_fallback(void)
{
	struct xdpsock_rx *rx;
	struct xdpsock_tx *tx;
	struct xdpsock_mode m;
	int err;

	lab_log_reset();
	err = xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, NULL);
	CHECK(err == 0, "rx_create AUTO: %d %s", err, xdpsock_errmsg());
	CHECK(xdpsock_rx_mode(rx, &m) == 0 && !m.zerocopy, "AUTO on veth: zerocopy %d", m.zerocopy);
	CHECK(m.attach == XDPSOCK_ATTACH_NATIVE, "AUTO attach on veth: %d (veth has native XDP)", m.attach);
	CHECK(lab_log_has(XDPSOCK_LOG_INFO, "zero-copy is not available on vb queue 0") &&
	      lab_log_has(XDPSOCK_LOG_INFO, "using copy mode"), "the fallback to copy mode was not logged");
	CHECK(xdpsock_errmsg()[0] == '\0', "a successful create left errmsg '%s'", xdpsock_errmsg());
	err = xdpsock_tx_create(&tx, lab_ifindex(l, LAB_A), 3, NULL);
	CHECK(err == 0, "tx_create AUTO: %d %s", err, xdpsock_errmsg());
	CHECK(xdpsock_tx_mode(tx, &m) == 0 && !m.zerocopy && m.attach == XDPSOCK_ATTACH_NONE, "tx AUTO mode");
	xdpsock_tx_destroy(tx);
	send_receive(rx, 0, 9503, NULL);
	xdpsock_rx_destroy(rx);
	printf("AUTO: fell back to copy mode, zerocopy=false\n");
}

int main(void)
{
	lab_require_root("it_modes");
	lab_log_capture();
	l = lab_up(4);
	attach_mode(XDPSOCK_ATTACH_NATIVE, XDP_ATTACHED_DRV, "native");
	attach_mode(XDPSOCK_ATTACH_GENERIC, XDP_ATTACHED_SKB, "generic");
	steering();
	copy_forced();
	zerocopy_forced();
	auto_fallback();
	CHECK(!lab_xdp_attached(l, LAB_B), "XDP program left on vb");
	printf("PASS it_modes\n");
	return T_PASS;
}
