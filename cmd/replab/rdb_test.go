package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"replab/rdb"
)

// writeRDB writes a small RDB file and returns its path and bytes.
func writeRDB(t *testing.T) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	e := rdb.NewEncoder(&buf, rdb.DefaultEncoderOptions())
	e.WriteAux([]byte("redis-ver"), []byte("7.0.15"))
	e.SelectDB(0, 2, 1)
	e.WriteKey([]byte("s"), rdb.KeyMeta{}, rdb.String("hello"))
	e.WriteKey([]byte("l"), rdb.KeyMeta{Expire: 4102444800000, HasExpire: true}, rdb.List{[]byte("a"), []byte("b")})
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "dump.rdb")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, buf.Bytes()
}

func TestRDBCheckAndDump(t *testing.T) {
	path, data := writeRDB(t)
	var out, errs bytes.Buffer
	if code := runRDB([]string{"check", path}, &out, &errs); code != 0 {
		t.Fatalf("check: code %d: %s %s", code, out.String(), errs.String())
	}
	for _, want := range []string{"RDB looks OK", "[info] 2 keys read", "[info] 1 expires", "1 keys of type 0 (string)", "1 keys of type 18 (quicklist-v2)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := runRDB([]string{"dump", path}, &out, &errs); code != 0 {
		t.Fatalf("dump: code %d: %s", code, errs.String())
	}
	want := `{"db":0,"key":"s","type":"string","encoding":"string","value":"hello"}` + "\n" +
		`{"db":0,"key":"l","type":"list","encoding":"quicklist-v2","expire":4102444800000,"value":["a","b"]}` + "\n"
	if out.String() != want {
		t.Errorf("dump:\n%s\nwant:\n%s", out.String(), want)
	}

	// A truncated file: verdict, first error with its offset, exit 1.
	bad := filepath.Join(t.TempDir(), "bad.rdb")
	os.WriteFile(bad, data[:len(data)-12], 0o644)
	out.Reset()
	if code := runRDB([]string{"check", bad}, &out, &errs); code != 1 {
		t.Fatalf("check of a truncated file: code %d", code)
	}
	if !strings.Contains(out.String(), "--- RDB ERROR DETECTED ---") || !strings.Contains(out.String(), "[offset ") {
		t.Errorf("check output:\n%s", out.String())
	}
	errs.Reset()
	if code := runRDB([]string{"dump", bad}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "offset") {
		t.Errorf("dump of a truncated file: code %d, %s", code, errs.String())
	}
	if code := runRDB([]string{"bogus"}, &out, &errs); code != 2 {
		t.Errorf("usage: code %d", code)
	}
}
