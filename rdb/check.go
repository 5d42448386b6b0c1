package rdb

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"
)

// AuxField is an AUX name/value pair.
type AuxField struct {
	Name, Value []byte
}

// Report is the verdict of Check, with what redis-check-rdb reports.
type Report struct {
	OK             bool
	Version        int            // RDB version, 0 if the header was unreadable
	Size           int64          // bytes consumed
	Aux            []AuxField     // in file order
	DBs            []int          // databases selected, in file order
	Keys           int64          // keys read (including the one that failed)
	Expires        int64          // keys with an expire time
	AlreadyExpired int64          // keys whose expire time is before the now given to Check
	ByType         map[Type]int64 // keys per type byte
	Functions      int64          // function libraries
	Checksum       string         // "ok", "disabled" (stored as zero), "none" (RDB < 5), or "" on error
	Warnings       []string       // things skipped (module aux data...)
	Err            *Error         // the first error, nil when OK
}

// Check reads a whole RDB file and reports on it like redis-check-rdb:
// verdict, counts, the first error with its offset. Empty collections are
// errors, as for redis-check-rdb. now (Unix ms) is used to count already
// expired keys; pass 0 to skip that count.
func Check(r io.Reader, now int64) Report {
	rep := Report{ByType: map[Type]int64{}}
	d := NewDecoder(r, DecoderOptions{
		Functions:       true,
		RejectEmptyKeys: true,
		Warn: func(off int64, msg string) {
			rep.Warnings = append(rep.Warnings, "[offset "+strconv.FormatInt(off, 10)+"] "+msg)
		},
	})
	for {
		rec, err := d.Next()
		rep.Version = d.Version()
		rep.Size = d.Offset()
		if err == io.EOF {
			stored, _ := d.Checksum()
			switch {
			case d.Version() < 5:
				rep.Checksum = "none"
			case stored == 0:
				rep.Checksum = "disabled"
			default:
				rep.Checksum = "ok"
			}
			rep.OK = true
			return rep
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				e = &Error{Offset: d.Offset(), Err: err}
			}
			if e.HasKey {
				rep.Keys++
				rep.ByType[e.Type]++
			}
			rep.Err = e
			return rep
		}
		switch rec.Kind {
		case RecordAux:
			rep.Aux = append(rep.Aux, AuxField{Name: rec.Key, Value: rec.Aux})
		case RecordSelectDB:
			rep.DBs = append(rep.DBs, rec.DB)
		case RecordFunction:
			rep.Functions++
		case RecordKey:
			rep.Keys++
			rep.ByType[rec.Type]++
			if rec.HasExpire {
				rep.Expires++
				if now > 0 && rec.Expire < now {
					rep.AlreadyExpired++
				}
			}
		}
	}
}

// WriteText writes the report in redis-check-rdb's style.
func (rep Report) WriteText(w io.Writer) error {
	var b []byte
	line := func(format string, args ...any) { b = fmt.Appendf(b, format+"\n", args...) }
	for _, a := range rep.Aux {
		line("[info] AUX FIELD %s = '%s'", a.Name, a.Value)
	}
	for _, s := range rep.Warnings {
		line("%s", s)
	}
	if rep.OK {
		switch rep.Checksum {
		case "ok":
			line("[offset %d] Checksum OK", rep.Size)
		case "disabled":
			line("[offset %d] RDB file was saved with checksum disabled: no check performed.", rep.Size)
		}
		line("[offset %d] \\o/ RDB looks OK! \\o/", rep.Size)
	} else if rep.Err != nil {
		e := rep.Err
		line("--- RDB ERROR DETECTED ---")
		line("[offset %d] %s", e.Offset, e.Err)
		if e.HasKey {
			line("[additional info] Reading key '%s'", e.Key)
			line("[additional info] Reading type %d (%s)", e.Type, e.Type)
		}
	}
	line("[info] RDB version %d", rep.Version)
	line("[info] %d keys read", rep.Keys)
	line("[info] %d expires", rep.Expires)
	line("[info] %d already expired", rep.AlreadyExpired)
	types := make([]int, 0, len(rep.ByType))
	for t := range rep.ByType {
		types = append(types, int(t))
	}
	sort.Ints(types)
	for _, t := range types {
		line("[info] %d keys of type %d (%s)", rep.ByType[Type(t)], t, Type(t))
	}
	if rep.Functions > 0 {
		line("[info] %d function libraries", rep.Functions)
	}
	_, err := w.Write(b)
	return err
}

// Dump reads an RDB file and writes one JSON object per key per line:
//
//	{"db":0,"key":"k","type":"hash","encoding":"hash-listpack","expire":1700000000000,"value":...}
//
// "expire" (Unix ms), "idle" and "freq" appear only when the file records
// them. Strings are JSON strings when they are valid UTF-8, else objects
// {"base64":"..."}. Values: a string; a list or set as an array; a hash as
// an array of [field, value] pairs (with a third element, the expire time,
// for fields that have one); a sorted set as an array of [member, score]
// (scores that are not finite are the strings "inf" and "-inf"); a stream
// as an object with its entries, metadata and consumer groups. Empty keys
// are skipped, as Redis's loader does. It stops at the first error.
func Dump(r io.Reader, w io.Writer) error {
	d := NewDecoder(r, DecoderOptions{})
	var b []byte
	for {
		rec, err := d.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if rec.Kind != RecordKey {
			continue
		}
		b = appendRecordJSON(b[:0], &rec)
		b = append(b, '\n')
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
}

func appendRecordJSON(b []byte, rec *Record) []byte {
	b = append(b, `{"db":`...)
	b = strconv.AppendInt(b, int64(rec.DB), 10)
	b = append(b, `,"key":`...)
	b = appendJSONBytes(b, rec.Key)
	b = append(b, `,"type":"`...)
	b = append(b, rec.Type.Kind().String()...)
	b = append(b, `","encoding":"`...)
	b = append(b, rec.Type.String()...)
	b = append(b, '"')
	if rec.HasExpire {
		b = append(b, `,"expire":`...)
		b = strconv.AppendInt(b, rec.Expire, 10)
	}
	if rec.HasIdle {
		b = append(b, `,"idle":`...)
		b = strconv.AppendUint(b, rec.Idle, 10)
	}
	if rec.HasFreq {
		b = append(b, `,"freq":`...)
		b = strconv.AppendUint(b, uint64(rec.Freq), 10)
	}
	b = append(b, `,"value":`...)
	b = appendValueJSON(b, rec.Value)
	return append(b, '}')
}

func appendValueJSON(b []byte, v Value) []byte {
	switch v := v.(type) {
	case String:
		return appendJSONBytes(b, v)
	case List:
		return appendJSONList(b, v)
	case ListNodes:
		var l [][]byte
		for _, nd := range v.Nodes {
			if nd.Plain {
				l = append(l, nd.Data)
				continue
			}
			WalkListpack(nd.Data, func(e Elem) error { l = append(l, e.Bytes()); return nil })
		}
		return appendJSONList(b, l)
	case Set:
		return appendJSONList(b, v)
	case ZSet:
		b = append(b, '[')
		for i, m := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = appendJSONBytes(b, m.Member)
			b = append(b, ',')
			b = appendJSONFloat(b, m.Score)
			b = append(b, ']')
		}
		return append(b, ']')
	case Hash:
		b = append(b, '[')
		for i, f := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = appendJSONBytes(b, f.Field)
			b = append(b, ',')
			b = appendJSONBytes(b, f.Value)
			if f.Expire != 0 {
				b = append(b, ',')
				b = strconv.AppendInt(b, f.Expire, 10)
			}
			b = append(b, ']')
		}
		return append(b, ']')
	case *Stream:
		return appendStreamJSON(b, v)
	}
	return append(b, "null"...)
}

func appendStreamJSON(b []byte, s *Stream) []byte {
	id := func(b []byte, id StreamID) []byte { return append(append(append(b, '"'), id.String()...), '"') }
	b = append(b, `{"entries":[`...)
	for i, e := range s.Entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = id(b, e.ID)
		b = append(b, `,"fields":[`...)
		for j, f := range e.Fields {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = appendJSONBytes(b, f.Field)
			b = append(b, ',')
			b = appendJSONBytes(b, f.Value)
			b = append(b, ']')
		}
		b = append(b, "]}"...)
	}
	b = append(b, `],"length":`...)
	b = strconv.AppendUint(b, s.Length, 10)
	b = append(b, `,"last_id":`...)
	b = id(b, s.LastID)
	b = append(b, `,"first_id":`...)
	b = id(b, s.FirstID)
	b = append(b, `,"max_deleted_id":`...)
	b = id(b, s.MaxDeletedID)
	b = append(b, `,"entries_added":`...)
	b = strconv.AppendUint(b, s.EntriesAdded, 10)
	b = append(b, `,"groups":[`...)
	for i, g := range s.Groups {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = appendJSONBytes(b, g.Name)
		b = append(b, `,"last_id":`...)
		b = id(b, g.LastID)
		b = append(b, `,"entries_read":`...)
		b = strconv.AppendInt(b, g.EntriesRead, 10)
		b = append(b, `,"pel":[`...)
		for j, p := range g.PEL {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = id(b, p.ID)
			b = append(b, `,"delivery_time":`...)
			b = strconv.AppendInt(b, p.DeliveryTime, 10)
			b = append(b, `,"delivery_count":`...)
			b = strconv.AppendUint(b, p.DeliveryCount, 10)
			b = append(b, '}')
		}
		b = append(b, `],"consumers":[`...)
		for j, c := range g.Consumers {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendJSONBytes(b, c.Name)
			b = append(b, `,"seen_time":`...)
			b = strconv.AppendInt(b, c.SeenTime, 10)
			b = append(b, `,"active_time":`...)
			b = strconv.AppendInt(b, c.ActiveTime, 10)
			b = append(b, `,"pel":[`...)
			for k, pid := range c.PEL {
				if k > 0 {
					b = append(b, ',')
				}
				b = id(b, pid)
			}
			b = append(b, "]}"...)
		}
		b = append(b, "]}"...)
	}
	return append(b, "]}"...)
}

func appendJSONList(b []byte, l [][]byte) []byte {
	b = append(b, '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONBytes(b, s)
	}
	return append(b, ']')
}

func appendJSONFloat(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, `"inf"`...)
	case math.IsInf(f, -1):
		return append(b, `"-inf"`...)
	case math.IsNaN(f):
		return append(b, `"nan"`...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendJSONBytes appends s as a JSON string, or {"base64":"..."} when it
// is not valid UTF-8.
func appendJSONBytes(b []byte, s []byte) []byte {
	if !utf8.Valid(s) {
		b = append(b, `{"base64":"`...)
		b = base64.StdEncoding.AppendEncode(b, s)
		return append(b, `"}`...)
	}
	b = append(b, '"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20 || c == 0x7f:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
