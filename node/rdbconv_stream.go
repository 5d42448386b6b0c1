package node

import (
	"errors"
	"fmt"

	"replab/keyspace"
	"replab/rdb"
)

// Streams in RDB files and DUMP payloads. The encoder re-packs the live
// entries into nodes as XADD fills them (stream-node-max-bytes and
// -entries), so deleted entries are not carried over; metadata (last ID,
// first ID, max deleted ID, entries added) and consumer groups with their
// pending entries and consumers are written as they are.

func init() {
	rdbSourceFuncs[keyspace.KindStream] = rdbStreamSource
	rdbLoadFuncs[rdb.KindStream] = loadStream
}

func toRDBID(id keyspace.StreamID) rdb.StreamID   { return rdb.StreamID{Ms: id.Ms, Seq: id.Seq} }
func fromRDBID(id rdb.StreamID) keyspace.StreamID { return keyspace.StreamID{Ms: id.Ms, Seq: id.Seq} }

func rdbStreamSource(v *keyspace.Value) rdb.Source {
	s := v.Stream()
	src := rdb.StreamSource{
		Len:          int(s.Len()),
		LastID:       toRDBID(s.LastID),
		FirstID:      toRDBID(s.FirstID),
		MaxDeletedID: toRDBID(s.MaxDeletedID),
		EntriesAdded: s.EntriesAdded,
		Entries: func(yield func(rdb.StreamEntry) bool) {
			it := s.Iterator(keyspace.StreamID{}, keyspace.MaxStreamID, false)
			var arena []byte
			var fields []rdb.StreamField
			for {
				id, ok := it.Next()
				if !ok {
					return
				}
				// The iterator's slices are valid only in its callback:
				// copy them into an arena reused for every entry (the
				// encoder copies what it keeps).
				arena, fields = arena[:0], fields[:0]
				var offs []int
				it.Fields(func(f, val []byte) {
					offs = append(offs, len(arena), len(f))
					arena = append(arena, f...)
					offs = append(offs, len(arena), len(val))
					arena = append(arena, val...)
				})
				for i := 0; i < len(offs); i += 4 {
					fields = append(fields, rdb.StreamField{
						Field: arena[offs[i] : offs[i]+offs[i+1]],
						Value: arena[offs[i+2] : offs[i+2]+offs[i+3]],
					})
				}
				if !yield(rdb.StreamEntry{ID: toRDBID(id), Fields: fields}) {
					return
				}
			}
		},
	}
	for _, g := range s.Groups() {
		rg := rdb.StreamGroup{Name: []byte(g.Name), LastID: toRDBID(g.LastID), EntriesRead: g.EntriesRead}
		g.PEL.Ascend(keyspace.StreamID{}, func(id keyspace.StreamID, nack *keyspace.StreamNACK) bool {
			rg.PEL = append(rg.PEL, rdb.StreamPending{ID: toRDBID(id), DeliveryTime: nack.DeliveryTime, DeliveryCount: nack.DeliveryCount})
			return true
		})
		for _, c := range g.Consumers() {
			rc := rdb.StreamConsumer{Name: []byte(c.Name), SeenTime: c.SeenTime, ActiveTime: c.SeenTime}
			c.PEL.Ascend(keyspace.StreamID{}, func(id keyspace.StreamID, _ *keyspace.StreamNACK) bool {
				rc.PEL = append(rc.PEL, toRDBID(id))
				return true
			})
			rg.Consumers = append(rg.Consumers, rc)
		}
		src.Groups = append(src.Groups, rg)
	}
	return src
}

func loadStream(n *Node, _ rdb.Type, v rdb.Value) (keyspace.Value, error) {
	rs, ok := v.(*rdb.Stream)
	if !ok {
		return keyspace.Value{}, fmt.Errorf("unexpected stream value %T", v)
	}
	s := keyspace.NewStream()
	var fv [][]byte
	for _, e := range rs.Entries {
		fv = fv[:0]
		for _, f := range e.Fields {
			fv = append(fv, f.Field, f.Value)
		}
		id := fromRDBID(e.ID)
		if _, err := s.Append(fv, &id, true, 0, int64(n.cfg.StreamNodeMaxBytes), int64(n.cfg.StreamNodeMaxEntries)); err != nil {
			return keyspace.Value{}, fmt.Errorf("stream entry %s: %w", e.ID, err)
		}
	}
	s.LastID = fromRDBID(rs.LastID)
	s.FirstID = fromRDBID(rs.FirstID)
	s.MaxDeletedID = fromRDBID(rs.MaxDeletedID)
	s.EntriesAdded = rs.EntriesAdded
	for _, g := range rs.Groups {
		kg := s.CreateGroup(g.Name, fromRDBID(g.LastID), g.EntriesRead)
		if kg == nil {
			return keyspace.Value{}, errors.New("duplicated consumer group name")
		}
		for _, p := range g.PEL {
			nack := &keyspace.StreamNACK{DeliveryTime: p.DeliveryTime, DeliveryCount: p.DeliveryCount}
			if !kg.PEL.Insert(fromRDBID(p.ID), nack) {
				return keyspace.Value{}, errors.New("duplicated global PEL entry")
			}
		}
		for _, c := range g.Consumers {
			kc := kg.CreateConsumer(c.Name, c.SeenTime)
			if kc == nil {
				return keyspace.Value{}, errors.New("duplicated consumer name")
			}
			for _, id := range c.PEL {
				kid := fromRDBID(id)
				nack := kg.PEL.Get(kid)
				if nack == nil || nack.Consumer != nil {
					return keyspace.Value{}, errors.New("consumer PEL entry not in the group's PEL, or owned twice")
				}
				nack.Consumer = kc
				kc.PEL.Insert(kid, nack)
			}
		}
		// Redis refuses a group PEL entry that no consumer owns.
		orphan := false
		kg.PEL.Ascend(keyspace.StreamID{}, func(_ keyspace.StreamID, nack *keyspace.StreamNACK) bool {
			orphan = nack.Consumer == nil
			return !orphan
		})
		if orphan {
			return keyspace.Value{}, errors.New("group PEL entry without a consumer")
		}
	}
	return keyspace.NewStreamValue(s), nil
}
