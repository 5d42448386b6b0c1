package node

import "replab/replication"

// infoReplication writes INFO replication with Redis 7.0's fields in its
// order. Beyond Redis, each slaveN line ends with lag_bytes (the master's
// offset minus the replica's acknowledged offset) and lag_ms (milliseconds
// since its last ACK), and the section ends with
// last_partial_resync_failure_reason (why the last PSYNC that asked for a
// history this node could not continue got a full resync; empty when none).
func (n *Node) infoReplication(w *infoWriter) {
	r := &n.repl
	now := n.nowSec()
	if r.masterHost == "" {
		w.f("role", "master")
	} else {
		w.f("role", "slave")
		readOff, applied := int64(1), int64(1)
		if m := r.master; m != nil {
			readOff, applied = m.repl.readReploff, m.repl.reploff
		} else if cm := r.cached; cm != nil {
			readOff, applied = cm.reploff, cm.reploff
		}
		w.f("master_host", "%s", r.masterHost)
		w.f("master_port", "%d", r.masterPort)
		status := "down"
		if r.state == linkConnected {
			status = "up"
		}
		w.f("master_link_status", "%s", status)
		lastIO := int64(-1)
		if r.master != nil {
			lastIO = now - r.master.lastInteraction/1000
		}
		w.f("master_last_io_seconds_ago", "%d", lastIO)
		w.f("master_sync_in_progress", "%d", b2i(r.state == linkTransfer))
		w.f("slave_read_repl_offset", "%d", readOff)
		w.f("slave_repl_offset", "%d", applied)
		if r.state == linkTransfer {
			var size, read int64 = -1, 0
			if l := r.link; l != nil && l.tr != nil {
				size, read = l.tr.TotalBytes(), l.tr.ReadBytes()
			}
			perc := 0.0
			if size != 0 {
				perc = float64(read) / float64(size) * 100
			}
			w.f("master_sync_total_bytes", "%d", size)
			w.f("master_sync_read_bytes", "%d", read)
			w.f("master_sync_left_bytes", "%d", size-read)
			w.f("master_sync_perc", "%.2f", perc)
			w.f("master_sync_last_io_seconds_ago", "%d", now-r.transferLastIO)
		}
		if r.state != linkConnected {
			down := int64(-1)
			if r.downSince != 0 {
				down = now - r.downSince
			}
			w.f("master_link_down_since_seconds", "%d", down)
		}
		w.f("slave_priority", "%d", r.set.priority)
		w.f("slave_read_only", "%d", b2i(r.set.readOnly))
		w.f("replica_announced", "%d", b2i(r.set.announced))
	}
	w.f("connected_slaves", "%d", r.table.Len())
	if r.set.minReplicas != 0 && r.set.minMaxLag != 0 {
		w.f("min_slaves_good_slaves", "%d", r.goodReplicas)
	}
	for _, ri := range r.table.Info(n.ms, r.offset) {
		lagMS := int64(0)
		if ri.Replica.State == replication.StateOnline {
			lagMS = ri.LagMillis
		}
		w.b.WriteString(ri.Line())
		w.b.WriteString(",lag_bytes=" + itoa(ri.LagBytes) + ",lag_ms=" + itoa(lagMS) + "\r\n")
	}
	w.f("master_failover_state", "%s", n.failoverInfo())
	w.f("master_replid", "%s", r.ids.ReplID)
	w.f("master_replid2", "%s", r.ids.ReplID2)
	w.f("master_repl_offset", "%d", r.offset)
	w.f("second_repl_offset", "%d", r.ids.SecondOffset)
	w.f("repl_backlog_active", "%d", b2i(r.buf != nil))
	w.f("repl_backlog_size", "%d", r.set.backlogSize)
	var first, histlen int64
	if r.buf != nil {
		first, histlen = r.buf.FirstByte(), r.buf.HistLen()
	}
	w.f("repl_backlog_first_byte_offset", "%d", first)
	w.f("repl_backlog_histlen", "%d", histlen)
	w.f("last_partial_resync_failure_reason", "%s", r.lastPartialFailure)
}
