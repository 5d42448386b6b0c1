package node

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
)

// osFS is the real driver's FileSystem: the operating system's files,
// relative to a directory.
type osFS struct{ dir func() string }

func (f osFS) path(name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(f.dir(), name)
}

func (f osFS) Create(name string) (WriteFile, error) {
	file, err := os.OpenFile(f.path(name), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return osFile{file}, nil
}

// osFile is a file of osFS; it implements WritebackStarter where the
// system can (fs_linux.go).
type osFile struct{ *os.File }

func (f osFS) Open(name string) (ReadFile, error) { return os.Open(f.path(name)) }

func (f osFS) Rename(oldname, newname string) error {
	return os.Rename(f.path(oldname), f.path(newname))
}

func (f osFS) Remove(name string) error { return os.Remove(f.path(name)) }

func (f osFS) SyncDir(name string) error {
	d, err := os.Open(filepath.Dir(f.path(name)))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (f osFS) Size(name string) (int64, error) {
	st, err := os.Stat(f.path(name))
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// MemFS is an in-memory FileSystem for tests and the simulator. A file's
// content becomes durable on Sync; Crash discards what was not synced, as a
// power loss would. It is not safe for concurrent use.
type MemFS struct {
	files   map[string]*memFile
	durable map[string][]byte // what survives a crash
}

type memFile struct {
	data   []byte
	synced bool
}

// NewMemFS returns an empty in-memory file system.
func NewMemFS() *MemFS {
	return &MemFS{files: map[string]*memFile{}, durable: map[string][]byte{}}
}

type memWriter struct {
	fs   *MemFS
	name string
	f    *memFile
}

func (w *memWriter) Write(p []byte) (int, error) {
	w.f.data = append(w.f.data, p...)
	w.f.synced = false
	return len(p), nil
}

func (w *memWriter) Sync() error {
	w.f.synced = true
	w.fs.durable[w.name] = append([]byte(nil), w.f.data...)
	return nil
}

func (w *memWriter) Close() error { return nil }

// Create implements FileSystem.
func (m *MemFS) Create(name string) (WriteFile, error) {
	f := &memFile{}
	m.files[name] = f
	return &memWriter{fs: m, name: name, f: f}, nil
}

type memReader struct{ *bytes.Reader }

func (memReader) Close() error { return nil }

// Open implements FileSystem.
func (m *MemFS) Open(name string) (ReadFile, error) {
	f, ok := m.files[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return memReader{bytes.NewReader(f.data)}, nil
}

// Rename implements FileSystem. The rename is durable only after SyncDir.
func (m *MemFS) Rename(oldname, newname string) error {
	f, ok := m.files[oldname]
	if !ok {
		return &fs.PathError{Op: "rename", Path: oldname, Err: fs.ErrNotExist}
	}
	m.files[newname] = f
	delete(m.files, oldname)
	return nil
}

// Remove implements FileSystem.
func (m *MemFS) Remove(name string) error {
	if _, ok := m.files[name]; !ok {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	delete(m.files, name)
	return nil
}

// SyncDir implements FileSystem: the current names of synced files become
// durable.
func (m *MemFS) SyncDir(string) error {
	m.durable = map[string][]byte{}
	for name, f := range m.files {
		if f.synced {
			m.durable[name] = append([]byte(nil), f.data...)
		}
	}
	return nil
}

// Size implements FileSystem.
func (m *MemFS) Size(name string) (int64, error) {
	f, ok := m.files[name]
	if !ok {
		return 0, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	return int64(len(f.data)), nil
}

// Crash forgets everything that was not made durable.
func (m *MemFS) Crash() {
	m.files = map[string]*memFile{}
	for name, data := range m.durable {
		m.files[name] = &memFile{data: append([]byte(nil), data...), synced: true}
	}
}

// Names lists the files, sorted.
func (m *MemFS) Names() []string {
	var out []string
	for n := range m.files {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ReadAll returns a file's content.
func (m *MemFS) ReadAll(name string) ([]byte, error) {
	f, err := m.Open(name)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(f)
}

// WriteFile creates a durable file (test setup).
func (m *MemFS) WriteFile(name string, data []byte) {
	m.files[name] = &memFile{data: append([]byte(nil), data...), synced: true}
	m.durable[name] = append([]byte(nil), data...)
}

// RunBackground implements BackgroundRunner with a goroutine: the real
// driver's fsyncs do not stall the event loop.
//
// While fn runs the process has one more P (GOMAXPROCS) than before: fn
// spends its time in blocking system calls (fsync), and a goroutine in a
// system call keeps its P until the runtime's monitor thread takes it
// back, which with one P and an idle monitor (it then sleeps up to 10 ms)
// would stall the event loop for as long.
func (f osFS) RunBackground(fn func() error) (poll func() (bool, error), wait func() error) {
	done := make(chan error, 1)
	backgroundProcs.add(1)
	go func() {
		err := fn()
		backgroundProcs.add(-1)
		done <- err
	}()
	var finished bool
	var result error
	poll = func() (bool, error) {
		if finished {
			return true, result
		}
		select {
		case result = <-done:
			finished = true
			return true, result
		default:
			return false, nil
		}
	}
	wait = func() error {
		if !finished {
			result, finished = <-done, true
		}
		return result
	}
	return poll, wait
}

// backgroundProcs keeps one extra P while background file work runs (see
// osFS.RunBackground).
var backgroundProcs extraProcs

type extraProcs struct {
	mu      sync.Mutex
	running int
	base    int // GOMAXPROCS before the first of the running jobs started
}

func (e *extraProcs) add(d int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.running == 0 && d > 0 {
		e.base = runtime.GOMAXPROCS(0)
		runtime.GOMAXPROCS(e.base + 1)
	}
	e.running += d
	if e.running == 0 {
		runtime.GOMAXPROCS(e.base)
	}
}
