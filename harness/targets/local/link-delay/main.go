// fogbench-link-delay: the delay stage of the fog target's node links, for kernels without
// netem. It creates two TAP devices, one for each end of a node's link (the target enslaves
// one to the node's bridge and the other to the fog switch), and forwards every Ethernet
// frame between them after a fixed delay, in both directions. Frames leave in the order they
// came (constant delay, FIFO), so every system's traffic on the link is delayed equally and
// TCP sees a plain longer wire. Bandwidth stays with tbf on the TAP devices' egress queues.
//
// With -jitter-ms J, each frame's delay is drawn uniformly from MS ± J, but a frame never
// leaves before the one ahead of it: jitter as queueing variation on a wire, no reordering.
//
// Usage: fogbench-link-delay -node-side NAME -switch-side NAME -delay-ms MS [-jitter-ms J] [-queue N]
// Prints "ready" on stdout once both devices exist; exits on SIGTERM/SIGINT, and the
// devices (not persistent) disappear with it.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

const (
	iffTap   = 0x0002
	iffNoPi  = 0x1000
	tunSetIf = 0x400454ca
	maxFrame = 65536
)

type frame struct {
	due  time.Time
	data []byte
}

func openTap(name string) (int, error) {
	fd, err := syscall.Open("/dev/net/tun", syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open /dev/net/tun: %w", err)
	}
	// struct ifreq: 16 bytes of name, then a short of flags (padded to 40 bytes).
	var req [40]byte
	copy(req[:15], name)
	*(*uint16)(unsafe.Pointer(&req[16])) = iffTap | iffNoPi
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), tunSetIf, uintptr(unsafe.Pointer(&req[0]))); errno != 0 {
		syscall.Close(fd)
		return -1, fmt.Errorf("TUNSETIFF %s: %w", name, errno)
	}
	return fd, nil
}

// forward reads frames from `from`, and a second goroutine writes each to `to` once its due
// time has come. A full queue drops the frame, as a full NIC ring would.
func forward(from, to int, delay, jitter time.Duration, queue int, dropped *atomic.Uint64) {
	pending := make(chan frame, queue)
	go func() {
		// nanosleep on a thread of its own: the Go scheduler's timers wake up to a millisecond
		// late (netpoll waits in whole milliseconds), which would add up to 1 ms per frame.
		runtime.LockOSThread()
		for f := range pending {
			if wait := time.Until(f.due); wait > 0 {
				ts := syscall.NsecToTimespec(wait.Nanoseconds())
				for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
				}
			}
			syscall.Write(to, f.data)
		}
	}()
	buf := make([]byte, maxFrame)
	var last time.Time
	for {
		n, err := syscall.Read(from, buf)
		if err != nil {
			if err == syscall.EINTR || err == syscall.EAGAIN {
				continue
			}
			fmt.Fprintf(os.Stderr, "fogbench-link-delay: read: %v\n", err)
			os.Exit(1)
		}
		data := make([]byte, n)
		copy(data, buf[:n])
		due := time.Now().Add(delay)
		if jitter > 0 {
			due = due.Add(time.Duration((rand.Float64()*2 - 1) * float64(jitter)))
			if due.Before(last) {
				due = last
			}
		}
		last = due
		select {
		case pending <- frame{due: due, data: data}:
		default:
			dropped.Add(1)
		}
	}
}

func main() {
	nodeSide := flag.String("node-side", "", "TAP device to create for the node's end of the link")
	switchSide := flag.String("switch-side", "", "TAP device to create for the switch's end of the link")
	delayMs := flag.Float64("delay-ms", 0, "one-way delay added in each direction, milliseconds")
	jitterMs := flag.Float64("jitter-ms", 0, "each frame's delay varies uniformly within delay ± jitter, milliseconds")
	queue := flag.Int("queue", 100000, "frames held at most per direction")
	flag.Parse()
	if *nodeSide == "" || *switchSide == "" || *delayMs < 0 || *jitterMs < 0 || *jitterMs > *delayMs {
		fmt.Fprintln(os.Stderr, "usage: fogbench-link-delay -node-side NAME -switch-side NAME -delay-ms MS")
		os.Exit(2)
	}
	a, err := openTap(*nodeSide)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fogbench-link-delay: %v\n", err)
		os.Exit(1)
	}
	b, err := openTap(*switchSide)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fogbench-link-delay: %v\n", err)
		os.Exit(1)
	}
	delay := time.Duration(*delayMs * float64(time.Millisecond))
	jitter := time.Duration(*jitterMs * float64(time.Millisecond))
	var dropped atomic.Uint64
	go forward(a, b, delay, jitter, *queue, &dropped)
	go forward(b, a, delay, jitter, *queue, &dropped)
	fmt.Println("ready")

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	fmt.Fprintf(os.Stderr, "fogbench-link-delay: %d frames dropped (queue full)\n", dropped.Load())
}
