package rdb

import (
	"bytes"
	"testing"
)

// sharedBlobs extracts the embedded structures of the shared RDB files
// (listpacks, ziplists, intsets, zipmaps, stream nodes), to seed the fuzz
// targets of their parsers with what real servers wrote.
type sharedBlobs struct {
	listpacks, ziplists, intsets, zipmaps [][]byte
	streamNodes                           [][2][]byte // node key, listpack
}

func collectSharedBlobs(tb testing.TB) sharedBlobs {
	var out sharedBlobs
	for _, path := range sharedRDBFiles() {
		name := path[bytes.LastIndexByte([]byte(path), '/')+1:]
		data := sharedRDB(tb, name)
		recs, _ := decodeAll(tb, data, DecoderOptions{SkipChecksum: true, NoDupCheck: true})
		for _, rec := range recs {
			if rec.Kind != RecordKey {
				continue
			}
			r := newReader(bytes.NewReader(data[rec.Offset:]))
			// Skip the key's opcodes up to its type byte.
			for {
				op, err := r.readByte()
				if err != nil {
					break
				}
				if op == OpExpireTimeMs {
					r.skip(8)
					continue
				}
				if op == OpExpireTime {
					r.skip(4)
					continue
				}
				if op == OpFreq {
					r.skip(1)
					continue
				}
				if op == OpIdle {
					r.readLen()
					continue
				}
				break
			}
			if _, err := r.readString(); err != nil {
				continue
			}
			switch rec.Type {
			case TypeHashListpack, TypeZSetListpack, TypeSetListpack:
				if b, err := r.readString(); err == nil {
					out.listpacks = append(out.listpacks, b)
				}
			case TypeListZiplist, TypeZSetZiplist, TypeHashZiplist:
				if b, err := r.readString(); err == nil {
					out.ziplists = append(out.ziplists, b)
				}
			case TypeSetIntset:
				if b, err := r.readString(); err == nil {
					out.intsets = append(out.intsets, b)
				}
			case TypeHashZipmap:
				if b, err := r.readString(); err == nil {
					out.zipmaps = append(out.zipmaps, b)
				}
			case TypeListQuicklist, TypeListQuicklist2:
				n, _ := r.readPlainLen()
				for i := uint64(0); i < n && i < 5; i++ {
					if rec.Type == TypeListQuicklist2 {
						r.readPlainLen()
					}
					b, err := r.readString()
					if err != nil {
						break
					}
					if rec.Type == TypeListQuicklist {
						out.ziplists = append(out.ziplists, b)
					} else {
						out.listpacks = append(out.listpacks, b)
					}
				}
			case TypeStreamListpacks, TypeStreamListpacks2, TypeStreamListpacks3:
				n, _ := r.readPlainLen()
				for i := uint64(0); i < n && i < 5; i++ {
					k, err1 := r.readString()
					lp, err2 := r.readString()
					if err1 != nil || err2 != nil {
						break
					}
					out.streamNodes = append(out.streamNodes, [2][]byte{k, lp})
					out.listpacks = append(out.listpacks, lp)
				}
			}
		}
	}
	return out
}

func TestSharedBlobsParse(t *testing.T) {
	if sharedRDBDir() == "" {
		t.Skip("SKIPPED: shared RDB files absent")
	}
	b := collectSharedBlobs(t)
	if len(b.listpacks) < 3 || len(b.ziplists) < 5 || len(b.intsets) < 3 || len(b.zipmaps) < 1 || len(b.streamNodes) < 1 {
		t.Fatalf("collected %d listpacks, %d ziplists, %d intsets, %d zipmaps, %d stream nodes",
			len(b.listpacks), len(b.ziplists), len(b.intsets), len(b.zipmaps), len(b.streamNodes))
	}
	for _, lp := range b.listpacks {
		if _, err := WalkListpack(lp, nil); err != nil {
			t.Errorf("listpack: %v", err)
		}
	}
	for _, is := range b.intsets {
		vals, err := ParseIntset(is)
		if err != nil {
			t.Fatal(err)
		}
		// Rebuilding an intset Redis wrote gives the same bytes.
		again, _ := AppendIntset(nil, vals)
		if !bytes.Equal(again, is) {
			t.Errorf("intset % x rebuilt as % x", is, again)
		}
	}
	for _, sn := range b.streamNodes {
		if _, err := parseStreamNode(decodeStreamID(sn[0]), sn[1], StreamID{}, true, nil); err != nil {
			t.Errorf("stream node: %v", err)
		}
	}
}
