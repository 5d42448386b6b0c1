package rdb

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestCheckSharedFiles(t *testing.T) {
	cases := map[string]struct {
		ok       bool
		keys     int64
		expires  int64
		checksum string
		errAt    int64
	}{
		"redis-7.0-alltypes.rdb": {true, 16, 1, "ok", 0},
		"redis-7.0-empty.rdb":    {true, 0, 0, "ok", 0},
		"encodings.rdb":          {true, 13, 0, "none", 0},
		"scriptbackup.rdb":       {true, 0, 0, "ok", 0},
		"hash-zipmap.rdb":        {true, 1, 0, "none", 0},
		"corrupt_ziplist.rdb":    {false, 16, 0, "", 494},
		// redis-check-rdb reports the first empty key as an error, at the
		// same offset (100, reading key 'set').
		"corrupt_empty_keys.rdb": {false, 1, 0, "", 100},
	}
	for name, c := range cases {
		rep := Check(bytes.NewReader(sharedRDB(t, name)), 1795313587000)
		if rep.OK != c.ok || rep.Keys != c.keys || rep.Expires != c.expires || rep.Checksum != c.checksum {
			t.Errorf("%s: %+v", name, rep)
		}
		if !c.ok && (rep.Err == nil || rep.Err.Offset != c.errAt) {
			t.Errorf("%s: error %v", name, rep.Err)
		}
		var out bytes.Buffer
		if err := rep.WriteText(&out); err != nil {
			t.Fatal(err)
		}
		text := out.String()
		if c.ok != strings.Contains(text, `\o/ RDB looks OK! \o/`) || c.ok == strings.Contains(text, "--- RDB ERROR DETECTED ---") {
			t.Errorf("%s: report\n%s", name, text)
		}
	}
	rep := Check(bytes.NewReader(sharedRDB(t, "redis-7.0-alltypes.rdb")), 4102444800001)
	if rep.AlreadyExpired != 1 || rep.ByType[TypeString] != 6 || rep.ByType[TypeListQuicklist2] != 2 || len(rep.DBs) != 2 {
		t.Errorf("alltypes: %+v", rep)
	}
	var out bytes.Buffer
	rep.WriteText(&out)
	for _, want := range []string{"[info] 16 keys read", "[info] 6 keys of type 0 (string)", "[offset 27773] Checksum OK", "AUX FIELD redis-ver = '7.0.15'"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	rep = Check(strings.NewReader("garbage!!"), 0)
	if rep.OK || !errors.Is(rep.Err, ErrCorrupt) {
		t.Errorf("garbage: %+v", rep)
	}
}

func TestDumpJSON(t *testing.T) {
	var out bytes.Buffer
	if err := Dump(bytes.NewReader(sharedRDB(t, "redis-7.0-alltypes.rdb")), &out); err != nil {
		t.Fatal(err)
	}
	lines := 0
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	got := map[string]map[string]any{}
	for sc.Scan() {
		lines++
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", lines, err, sc.Text())
		}
		got[m["key"].(string)] = m
	}
	if lines != 16 {
		t.Fatalf("%d lines", lines)
	}
	if m := got["expiring"]; m["value"] != "soon" || m["expire"] != float64(4102444800000) || m["type"] != "string" {
		t.Errorf("expiring: %v", m)
	}
	if m := got["board"]; m["encoding"] != "zset-listpack" || len(m["value"].([]any)) != 3 {
		t.Errorf("board: %v", m)
	}
	ev := got["events"]["value"].(map[string]any)
	if ev["last_id"] != "1700000000059-2" || len(ev["entries"].([]any)) != 59 || len(ev["groups"].([]any)) != 1 {
		t.Errorf("events: %v", ev["last_id"])
	}
	if got["in-db-2"]["db"] != float64(2) {
		t.Errorf("in-db-2: %v", got["in-db-2"])
	}
	// Strings that are not UTF-8, control characters and infinities.
	var b []byte
	b = appendValueJSON(b, Hash{{Field: []byte{0xff, 0xfe}, Value: []byte("a\"\\\n\x01")}})
	b = appendValueJSON(b, ZSet{{[]byte("i"), -1 / zero()}})
	if string(b) != `[[{"base64":"//4="},"a\"\\\n\u0001"]][["i","-inf"]]` {
		t.Errorf("JSON: %s", b)
	}
	if err := Dump(strings.NewReader("REDIS0010\x00\x01"), &out); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated: %v", err)
	}
}

func zero() float64 { return 0 }
