package rdb

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// sharedRDBDir finds the shared folder of real RDB files
// (<ancestor>/shared/testdata/rdb, or $REPLAB_RDB_TESTDATA).
func sharedRDBDir() string {
	if d := os.Getenv("REPLAB_RDB_TESTDATA"); d != "" {
		return d
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		return ""
	}
	for {
		cand := filepath.Join(dir, "shared", "testdata", "rdb")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// sharedRDB returns the content of a shared RDB file, skipping the test
// loudly when the folder is absent.
func sharedRDB(t testing.TB, name string) []byte {
	t.Helper()
	dir := sharedRDBDir()
	if dir == "" {
		t.Skipf("SKIPPED: the shared RDB test files (shared/testdata/rdb above the project, or $REPLAB_RDB_TESTDATA) are absent; %s not tested", name)
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatalf("reading shared RDB file: %v", err)
	}
	return b
}

// sharedRDBFiles lists the shared RDB files (nil when the folder is absent).
func sharedRDBFiles() []string {
	dir := sharedRDBDir()
	if dir == "" {
		return nil
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.rdb"))
	return files
}

// decodeAll decodes a whole file.
func decodeAll(t testing.TB, data []byte, opts DecoderOptions) ([]Record, error) {
	t.Helper()
	var recs []Record
	err := eachRecord(NewDecoder(bytes.NewReader(data), opts), func(rec Record) { recs = append(recs, rec) })
	return recs, err
}

// eachRecord calls fn with every record d decodes, before decoding the
// next, and returns the error that stopped it (nil at the end).
func eachRecord(d *Decoder, fn func(Record)) error {
	for {
		rec, err := d.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		fn(rec)
	}
}

// keys returns the key records by name.
func keys(recs []Record) map[string]Record {
	m := map[string]Record{}
	for _, r := range recs {
		if r.Kind == RecordKey {
			m[string(r.Key)] = r
		}
	}
	return m
}

func bs(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func sortBytes(s [][]byte) { sortFunc(s, bytes.Compare) }

func sortFunc[T any](s []T, cmp func(a, b T) int) { slices.SortFunc(s, cmp) }
