package rdb

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

// Lists kept as their quicklist nodes (DecoderOptions.ListNodes and
// ListNodesSource): the nodes survive a round trip byte for byte, and the
// flat decoding sees the same elements.
func TestListNodesRoundTrip(t *testing.T) {
	var lp1, lp2 ListpackBuilder
	for i := 0; i < 10; i++ {
		lp1.Append([]byte(fmt.Sprintf("elem-%d", i)))
	}
	lp2.AppendInt(-42)
	lp2.Append([]byte("tail"))
	nodes := ListNodes{Nodes: []ListNode{{Data: lp1.Bytes()}, {Data: []byte("plain element"), Plain: true}, {Data: lp2.Bytes()}}, Count: 13}

	var buf bytes.Buffer
	e := NewEncoder(&buf, DefaultEncoderOptions())
	e.SelectDB(0, 1, 0)
	if err := e.WriteKey([]byte("l"), KeyMeta{}, nodes); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	recs, err := decodeAll(t, buf.Bytes(), DecoderOptions{ListNodes: true})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := keys(recs)["l"].Value.(ListNodes)
	if !ok || got.Count != 13 || len(got.Nodes) != 3 {
		t.Fatalf("decoded %#v", keys(recs)["l"].Value)
	}
	for i, nd := range got.Nodes {
		if !bytes.Equal(nd.Data, nodes.Nodes[i].Data) || nd.Plain != nodes.Nodes[i].Plain {
			t.Errorf("node %d: %q plain %v, want %q plain %v", i, nd.Data, nd.Plain, nodes.Nodes[i].Data, nodes.Nodes[i].Plain)
		}
	}
	flat, err := decodeAll(t, buf.Bytes(), DecoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l := keys(flat)["l"].Value.(List)
	if len(l) != 13 || string(l[10]) != "plain element" || string(l[11]) != "-42" || string(l[12]) != "tail" {
		t.Fatalf("flat decoding %q", l)
	}
	// The same list through the DUMP path.
	payload, err := AppendDump(nil, nodes, DefaultEncoderOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, v, err := ParseDump(payload, DecoderOptions{ListNodes: true}); err != nil || v.(ListNodes).Count != 13 {
		t.Fatalf("ParseDump: %v %v", v, err)
	}
}

func TestListNodesRejectsBadNodes(t *testing.T) {
	var lp ListpackBuilder
	lp.Append([]byte("x"))
	good := lp.Bytes()
	bad := append([]byte(nil), good...)
	bad[len(bad)-1] = 0 // no end marker
	var empty ListpackBuilder
	for name, tc := range map[string]struct {
		nodes ListNodes
		want  error
	}{
		"corrupt listpack": {ListNodes{Nodes: []ListNode{{Data: bad}}, Count: 1}, ErrCorrupt},
		"only empty nodes": {ListNodes{Nodes: []ListNode{{Data: empty.Bytes()}}, Count: 1}, ErrEmptyKey},
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			e := NewEncoder(&buf, DefaultEncoderOptions())
			e.SelectDB(0, 1, 0)
			e.WriteKey([]byte("l"), KeyMeta{}, tc.nodes)
			e.Close()
			_, err := decodeAll(t, buf.Bytes(), DecoderOptions{ListNodes: true, RejectEmptyKeys: true})
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
}
