package node

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// MemRuntime is the in-memory twin of the TCP driver: a Runtime with a
// manual clock, seeded randomness and connections that are byte buffers.
// Tests drive a node through it without sockets or sleeps; the simulator
// builds on it. It is not safe for concurrent use.
type MemRuntime struct {
	// Clock is the current virtual time; advance it and call Node.Tick.
	Clock time.Time
	// Logs collects the node's log lines ("<mark> <message>").
	Logs []string

	// Files is the node's file system.
	Files *MemFS
	// Dials records the addresses the node dialed, by connection ID;
	// the test decides their outcome (Node.Connected / ConnectFailed).
	Dials map[ConnID]string

	rng      *rand.Rand
	out      map[ConnID][]byte
	closed   map[ConnID]bool
	exited   bool
	exitCode int
	nextDial ConnID
}

// NewMemRuntime returns a runtime whose randomness derives from seed and
// whose clock starts at start.
func NewMemRuntime(seed uint64, start time.Time) *MemRuntime {
	return &MemRuntime{
		Clock:  start,
		rng:    rand.New(rand.NewPCG(seed, seed^0xda3e39cb94b95bdb)),
		out:    map[ConnID][]byte{},
		closed: map[ConnID]bool{},
		Files:  NewMemFS(),
		Dials:  map[ConnID]string{},
		// Outbound connections get IDs far from those a test gives to
		// accepted connections.
		nextDial: 1 << 32,
	}
}

// Now implements Runtime.
func (m *MemRuntime) Now() time.Time { return m.Clock }

// Rand implements Runtime.
func (m *MemRuntime) Rand() *rand.Rand { return m.rng }

// Send implements Runtime: output accumulates until Take.
func (m *MemRuntime) Send(c ConnID, p []byte) int {
	if m.closed[c] {
		return 0
	}
	m.out[c] = append(m.out[c], p...)
	return len(m.out[c])
}

// SendChunks implements ChunkSender by copying the chunks.
func (m *MemRuntime) SendChunks(c ConnID, chunks [][]byte) int {
	if m.closed[c] {
		return 0
	}
	for _, p := range chunks {
		m.out[c] = append(m.out[c], p...)
	}
	return len(m.out[c])
}

// Close implements Runtime.
func (m *MemRuntime) Close(c ConnID) { m.closed[c] = true }

// Sleep implements Runtime by advancing the clock.
func (m *MemRuntime) Sleep(d time.Duration) { m.Clock = m.Clock.Add(d) }

// Log implements Runtime.
func (m *MemRuntime) Log(level LogLevel, msg string) {
	m.Logs = append(m.Logs, fmt.Sprintf("%c %s", level.Mark(), msg))
}

// Exit implements Runtime.
func (m *MemRuntime) Exit(code int) { m.exited, m.exitCode = true, code }

// Dial implements Runtime: it records the request; the test completes it.
func (m *MemRuntime) Dial(addr string) ConnID {
	m.nextDial++
	m.Dials[m.nextDial] = addr
	return m.nextDial
}

// FS implements Runtime.
func (m *MemRuntime) FS() FileSystem { return m.Files }

// Take returns and forgets the output sent to c so far.
func (m *MemRuntime) Take(c ConnID) []byte {
	b := m.out[c]
	delete(m.out, c)
	return b
}

// IsClosed reports whether the node closed c.
func (m *MemRuntime) IsClosed(c ConnID) bool { return m.closed[c] }

// Exited reports whether the node called Exit, and with which code.
func (m *MemRuntime) Exited() (bool, int) { return m.exited, m.exitCode }

// Advance moves the clock forward by d and lets the node run its timers
// (every wake-up it asked for up to the new time, in order).
func (m *MemRuntime) Advance(n *Node, d time.Duration) {
	end := m.Clock.Add(d)
	for {
		w := n.NextWake()
		if w.After(end) {
			break
		}
		if w.After(m.Clock) {
			m.Clock = w
		}
		n.Tick()
		if !n.NextWake().After(w) {
			// The node did not move its next wake-up: avoid spinning.
			m.Clock = m.Clock.Add(time.Millisecond)
		}
		if m.Clock.After(end) {
			break
		}
	}
	m.Clock = end
}
