package rdb

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// Fuzz targets for every parser. Run one with, for example:
//
//	go test ./rdb -run '^$' -fuzz '^FuzzDecoder$' -fuzztime 2m

func addSharedSeeds(f *testing.F) {
	for _, path := range sharedRDBFiles() {
		name := path[bytes.LastIndexByte([]byte(path), '/')+1:]
		f.Add(sharedRDB(f, name))
	}
}

func addEncoderSeeds(f *testing.F) {
	opts := DefaultEncoderOptions()
	opts.StreamNodeMaxEntries = 10
	opts.ListMaxListpackSize = 4
	for _, c := range encCases() {
		if v, ok := c.src.(Value); ok && (v.Len() > 1000 || len(jsonOf(v)) > 20000) {
			continue
		}
		f.Add(encodeFile(f, opts, func(e *Encoder) error {
			return e.WriteKey([]byte(c.name), KeyMeta{Expire: 5, HasExpire: true}, c.src)
		}))
	}
}

// normalize makes decoded values comparable across a re-encoding: set,
// hash and sorted set order may change with the encoding, and RDB 10 does
// not keep the consumers' active time.
func normalize(v Value) string {
	if s, ok := v.(*Stream); ok {
		c := *s
		c.Groups = append([]StreamGroup(nil), s.Groups...)
		for i := range c.Groups {
			g := &c.Groups[i]
			g.Consumers = append([]StreamConsumer(nil), g.Consumers...)
			for j := range g.Consumers {
				g.Consumers[j].ActiveTime = g.Consumers[j].SeenTime
			}
		}
		return jsonOf(&c)
	}
	return jsonOf(sortedCopy(v))
}

func FuzzDecoder(f *testing.F) {
	addSharedSeeds(f)
	addEncoderSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewDecoder(bytes.NewReader(data), DecoderOptions{Functions: true, SkipChecksum: true})
		var recs []Record
		for i := 0; ; i++ {
			rec, err := d.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("error is not an *Error: %v", err)
				}
				if e.Offset < 0 || e.Offset > int64(len(data)) {
					t.Fatalf("error offset %d out of range", e.Offset)
				}
				return
			}
			if rec.Kind == RecordKey {
				recs = append(recs, rec)
			}
		}
		// Whatever decodes must survive a round trip through the Encoder.
		for _, rec := range recs {
			var buf bytes.Buffer
			e := NewEncoder(&buf, DefaultEncoderOptions())
			if err := e.WriteKey(rec.Key, rec.KeyMeta, rec.Value); err != nil {
				if h, ok := rec.Value.(Hash); ok && hasFieldExpire(h) {
					continue // RDB 10 has no field expire times
				}
				t.Fatalf("re-encoding %q (%v): %v", rec.Key, rec.Type, err)
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			back, err := decodeAll(t, buf.Bytes(), DecoderOptions{})
			if err != nil {
				t.Fatalf("decoding the re-encoding of %q (%v): %v", rec.Key, rec.Type, err)
			}
			if len(back) != 1 || !bytes.Equal(back[0].Key, rec.Key) || back[0].KeyMeta != rec.KeyMeta ||
				normalize(back[0].Value) != normalize(rec.Value) {
				t.Fatalf("round trip of %q (%v) differs", rec.Key, rec.Type)
			}
		}
	})
}

func hasFieldExpire(h Hash) bool {
	for _, f := range h {
		if f.Expire != 0 {
			return true
		}
	}
	return false
}

func FuzzParseDump(f *testing.F) {
	for _, c := range encCases() {
		if v, ok := c.src.(Value); ok && v.Len() > 1000 {
			continue
		}
		p, err := AppendDump(nil, c.src, DefaultEncoderOptions())
		if err == nil && len(p) < 20000 {
			f.Add(p)
		}
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		_, v, err := ParseDump(payload, DecoderOptions{SkipChecksum: true})
		if err != nil {
			if !errors.Is(err, ErrDumpPayload) && !errors.Is(err, ErrBadDataFormat) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		if h, ok := v.(Hash); ok && hasFieldExpire(h) {
			return
		}
		p, err := AppendDump(nil, v, DefaultEncoderOptions())
		if err != nil {
			t.Fatalf("re-dump: %v", err)
		}
		_, v2, err := ParseDump(p, DecoderOptions{})
		if err != nil || normalize(v2) != normalize(v) {
			t.Fatalf("re-dump differs: %v", err)
		}
	})
}

func FuzzListpack(f *testing.F) {
	var b ListpackBuilder
	for _, c := range lpCases {
		if len(c) < 5000 {
			b.Append(c)
		}
	}
	f.Add(b.Bytes())
	b.Reset()
	f.Add(b.Bytes())
	for _, lp := range collectSharedBlobs(f).listpacks {
		f.Add(lp)
	}
	f.Fuzz(func(t *testing.T, lp []byte) {
		var elems [][]byte
		n, err := WalkListpack(lp, func(e Elem) error {
			elems = append(elems, e.Bytes())
			return nil
		})
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error class: %v", err)
			}
			return
		}
		if n != len(elems) {
			t.Fatalf("count %d, %d elements", n, len(elems))
		}
		var rb ListpackBuilder
		for _, e := range elems {
			rb.Append(e)
		}
		i := 0
		if _, err := WalkListpack(rb.Bytes(), func(e Elem) error {
			if !bytes.Equal(e.Bytes(), elems[i]) {
				t.Fatalf("element %d differs after rebuild", i)
			}
			i++
			return nil
		}); err != nil {
			t.Fatalf("rebuilt listpack: %v", err)
		}
	})
}

func FuzzZiplist(f *testing.F) {
	f.Add(ziplistOf(bs("a", "1", "-70000", "5000000000", "hello", "12", "200")))
	f.Add(ziplistOf(append(bs("x"), bytes.Repeat([]byte{'y'}, 300), []byte("z"))))
	for _, zl := range collectSharedBlobs(f).ziplists {
		f.Add(zl)
	}
	f.Fuzz(func(t *testing.T, zl []byte) {
		if _, err := WalkZiplist(zl, func(e Elem) error { _ = e.Bytes(); return nil }); err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error class: %v", err)
		}
	})
}

func FuzzZipmap(f *testing.F) {
	f.Add(zipmapOf(bs("f1", "v1", "f2", "v2"), 1))
	f.Add(zipmapOf(append(bs("k"), bytes.Repeat([]byte{'v'}, 300)), 0))
	for _, zm := range collectSharedBlobs(f).zipmaps {
		f.Add(zm)
	}
	f.Fuzz(func(t *testing.T, zm []byte) {
		if _, err := WalkZipmap(zm, nil); err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error class: %v", err)
		}
	})
}

func FuzzIntset(f *testing.F) {
	for _, vals := range [][]int64{{1, 2, 3}, {-70000, 5}, {1 << 40, -1}} {
		is, _ := AppendIntset(nil, vals)
		f.Add(is)
	}
	for _, is := range collectSharedBlobs(f).intsets {
		f.Add(is)
	}
	f.Fuzz(func(t *testing.T, is []byte) {
		vals, err := ParseIntset(is)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error class: %v", err)
			}
			return
		}
		again, err := AppendIntset(nil, append([]int64(nil), vals...))
		if err != nil {
			t.Fatal(err)
		}
		vals2, err := ParseIntset(again)
		if err != nil || len(vals2) != len(vals) {
			t.Fatalf("rebuild: %v", err)
		}
		for i := range vals {
			if vals[i] != vals2[i] {
				t.Fatalf("element %d differs", i)
			}
		}
	})
}

func FuzzLZF(f *testing.F) {
	for _, in := range lzfInputs() {
		if len(in) < 10000 {
			f.Add(in, uint16(len(in)))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, outLen uint16) {
		// Arbitrary input as a compressed stream.
		if out, err := LZFDecompress(nil, data, int(outLen)); err == nil && len(out) != int(outLen) {
			t.Fatalf("decompressed %d bytes, asked %d", len(out), outLen)
		}
		// Arbitrary input as plain data.
		comp, ok := LZFCompress(nil, data, len(data)+len(data)/32+2)
		if !ok {
			t.Fatal("worst-case bound refused")
		}
		back, err := LZFDecompress(nil, comp, len(data))
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzStreamNode(f *testing.F) {
	nb := newStreamNodeBuilder(4096, 100)
	for i := 0; i < 5; i++ {
		fields := []StreamField{{[]byte("f"), []byte("v")}}
		if i == 3 {
			fields = append(fields, StreamField{[]byte("g"), []byte("w")})
		}
		nb.add(StreamEntry{ID: StreamID{uint64(10 + i), uint64(i)}, Fields: fields})
	}
	master, lp := nb.finish()
	f.Add(encodeStreamID(nil, master), lp)
	for _, sn := range collectSharedBlobs(f).streamNodes {
		f.Add(sn[0], sn[1])
	}
	f.Fuzz(func(t *testing.T, key, lp []byte) {
		if len(key) < 16 {
			return
		}
		_, err := parseStreamNode(decodeStreamID(key), lp, StreamID{}, true, func(StreamEntry) error { return nil })
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error class: %v", err)
		}
	})
}
