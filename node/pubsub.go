package node

import (
	"sort"
	"strconv"

	"replab/internal/glob"
)

// Pub/Sub as a non-cluster Redis 7.0 serves it: channels, patterns and
// shard channels (which, outside a cluster, behave as a separate set of
// plain channels).
//
// Ordering contract: every list a reply or a delivery walks is kept in
// insertion order, never in Go map order. Messages go to the subscribers
// of a channel in the order they subscribed, then to the subscribers of
// each matching pattern, patterns in the order they were first subscribed
// (Redis walks its pattern dict in hash order: any fixed order is as
// correct). UNSUBSCRIBE and PUNSUBSCRIBE without arguments leave the
// client's channels in the order it subscribed to them; PUBSUB CHANNELS
// lists channels sorted by name.

// ordered is a set that remembers insertion order, with O(1) amortised
// add, remove and membership. Removed entries leave a tombstone in order
// that iteration skips; order is compacted when tombstones dominate.
type ordered[K comparable] struct {
	seq   map[K]uint64 // live entries -> their insertion sequence number
	order []orderedEntry[K]
	next  uint64
}

type orderedEntry[K comparable] struct {
	key K
	seq uint64
}

func newOrdered[K comparable]() *ordered[K] { return &ordered[K]{seq: map[K]uint64{}} }

// add inserts k at the end and reports whether it was absent.
func (o *ordered[K]) add(k K) bool {
	if _, ok := o.seq[k]; ok {
		return false
	}
	o.next++
	o.seq[k] = o.next
	o.order = append(o.order, orderedEntry[K]{k, o.next})
	return true
}

// remove deletes k and reports whether it was present.
func (o *ordered[K]) remove(k K) bool {
	if _, ok := o.seq[k]; !ok {
		return false
	}
	delete(o.seq, k)
	if len(o.seq) == 0 {
		o.order = o.order[:0]
	} else if len(o.order) > 2*len(o.seq)+16 {
		live := o.order[:0]
		for _, e := range o.order {
			if s, ok := o.seq[e.key]; ok && s == e.seq {
				live = append(live, e)
			}
		}
		clear(o.order[len(live):])
		o.order = live
	}
	return true
}

func (o *ordered[K]) has(k K) bool {
	_, ok := o.seq[k]
	return ok
}

func (o *ordered[K]) len() int {
	if o == nil {
		return 0
	}
	return len(o.seq)
}

// each calls fn on the live entries in insertion order. fn must not
// change the set.
func (o *ordered[K]) each(fn func(K)) {
	if o == nil {
		return
	}
	for _, e := range o.order {
		if s, ok := o.seq[e.key]; ok && s == e.seq {
			fn(e.key)
		}
	}
}

// keys returns the live entries in insertion order (a copy).
func (o *ordered[K]) keys() []K {
	out := make([]K, 0, o.len())
	o.each(func(k K) { out = append(out, k) })
	return out
}

// pubsubState is the node's side of Pub/Sub: who listens to what.
type pubsubState struct {
	channels      map[string]*ordered[*client] // channel -> subscribers
	shardChannels map[string]*ordered[*client] // shard channel -> subscribers
	patterns      map[string]*ordered[*client] // pattern -> subscribers
	patternOrder  *ordered[string]             // patterns by first subscription
}

// clientPubSub is a client's side of Pub/Sub. A client has one while it is
// in subscribed mode (flagPubSub).
type clientPubSub struct {
	channels      *ordered[string]
	shardChannels *ordered[string]
	patterns      *ordered[string]
	// softLimitSince is the Unix second when the client's output first
	// went over the soft limit of its class, 0 when it is under.
	softLimitSince int64
}

func (n *Node) initPubSub() {
	n.pubsub = pubsubState{
		channels:      map[string]*ordered[*client]{},
		shardChannels: map[string]*ordered[*client]{},
		patterns:      map[string]*ordered[*client]{},
		patternOrder:  newOrdered[string](),
	}
	n.publishHook = n.publishKeyspaceEvent
}

// clientPS returns c's Pub/Sub state, creating it.
func clientPS(c *client) *clientPubSub {
	if c.ps == nil {
		c.ps = &clientPubSub{channels: newOrdered[string](), shardChannels: newOrdered[string](), patterns: newOrdered[string]()}
	}
	return c.ps
}

// pubsubCounts returns the number of channels, patterns and shard channels
// c listens to.
func pubsubCounts(c *client) (channels, patterns, shard int) {
	if c.ps == nil {
		return 0, 0, 0
	}
	return c.ps.channels.len(), c.ps.patterns.len(), c.ps.shardChannels.len()
}

// subscriptionCount is what (UN)SUBSCRIBE and P(UN)SUBSCRIBE report:
// channels plus patterns.
func subscriptionCount(c *client) int64 {
	ch, pat, _ := pubsubCounts(c)
	return int64(ch + pat)
}

func shardSubscriptionCount(c *client) int64 {
	_, _, sh := pubsubCounts(c)
	return int64(sh)
}

// leavePubSubIfIdle clears subscribed mode when c listens to nothing.
func leavePubSubIfIdle(c *client) {
	if ch, pat, sh := pubsubCounts(c); ch+pat+sh == 0 {
		c.flags &^= flagPubSub
		c.ps = nil
	}
}

// replyPubSubEvent writes a subscription confirmation or a message
// header: a push of n elements whose first is kind.
func replyPubSubHeader(c *client, n int, kind string) {
	c.w.Push(n)
	c.w.BulkString(kind)
}

// replyPubSubCount writes a (un)subscription confirmation.
func replyPubSubCount(c *client, kind string, name *string, count int64) {
	replyPubSubHeader(c, 3, kind)
	if name == nil {
		c.w.Null()
	} else {
		c.w.BulkString(*name)
	}
	c.w.Int(count)
}

func (n *Node) subscribeChannel(c *client, channel string, shard bool) {
	ps := clientPS(c)
	mine, server, kind := ps.channels, n.pubsub.channels, "subscribe"
	if shard {
		mine, server, kind = ps.shardChannels, n.pubsub.shardChannels, "ssubscribe"
	}
	if mine.add(channel) {
		subs := server[channel]
		if subs == nil {
			subs = newOrdered[*client]()
			server[channel] = subs
		}
		subs.add(c)
	}
	count := subscriptionCount(c)
	if shard {
		count = shardSubscriptionCount(c)
	}
	replyPubSubCount(c, kind, &channel, count)
}

// unsubscribeChannel removes c from channel; with notify it confirms to c
// (even when c was not subscribed).
func (n *Node) unsubscribeChannel(c *client, channel string, shard, notify bool) bool {
	removed := false
	server, kind := n.pubsub.channels, "unsubscribe"
	if shard {
		server, kind = n.pubsub.shardChannels, "sunsubscribe"
	}
	if c.ps != nil {
		mine := c.ps.channels
		if shard {
			mine = c.ps.shardChannels
		}
		if mine.remove(channel) {
			removed = true
			if subs := server[channel]; subs != nil {
				subs.remove(c)
				if subs.len() == 0 {
					delete(server, channel)
				}
			}
		}
	}
	if notify {
		count := subscriptionCount(c)
		if shard {
			count = shardSubscriptionCount(c)
		}
		replyPubSubCount(c, kind, &channel, count)
	}
	return removed
}

func (n *Node) unsubscribeAllChannels(c *client, shard, notify bool) int {
	count := 0
	if c.ps != nil {
		mine := c.ps.channels
		if shard {
			mine = c.ps.shardChannels
		}
		for _, ch := range mine.keys() {
			if n.unsubscribeChannel(c, ch, shard, notify) {
				count++
			}
		}
	}
	if notify && count == 0 {
		kind, total := "unsubscribe", subscriptionCount(c)
		if shard {
			kind, total = "sunsubscribe", shardSubscriptionCount(c)
		}
		replyPubSubCount(c, kind, nil, total)
	}
	return count
}

func (n *Node) subscribePattern(c *client, pattern string) {
	ps := clientPS(c)
	if ps.patterns.add(pattern) {
		subs := n.pubsub.patterns[pattern]
		if subs == nil {
			subs = newOrdered[*client]()
			n.pubsub.patterns[pattern] = subs
			n.pubsub.patternOrder.add(pattern)
		}
		subs.add(c)
	}
	replyPubSubCount(c, "psubscribe", &pattern, subscriptionCount(c))
}

func (n *Node) unsubscribePattern(c *client, pattern string, notify bool) bool {
	removed := false
	if c.ps != nil && c.ps.patterns.remove(pattern) {
		removed = true
		if subs := n.pubsub.patterns[pattern]; subs != nil {
			subs.remove(c)
			if subs.len() == 0 {
				delete(n.pubsub.patterns, pattern)
				n.pubsub.patternOrder.remove(pattern)
			}
		}
	}
	if notify {
		replyPubSubCount(c, "punsubscribe", &pattern, subscriptionCount(c))
	}
	return removed
}

func (n *Node) unsubscribeAllPatterns(c *client, notify bool) int {
	count := 0
	if c.ps != nil {
		for _, p := range c.ps.patterns.keys() {
			if n.unsubscribePattern(c, p, notify) {
				count++
			}
		}
	}
	if notify && count == 0 {
		replyPubSubCount(c, "punsubscribe", nil, subscriptionCount(c))
	}
	return count
}

// resetPubSub leaves every channel, shard channel and pattern without
// confirmations (RESET, and a client that goes away).
func (n *Node) resetPubSub(c *client) {
	if c.ps != nil {
		n.unsubscribeAllChannels(c, false, false)
		n.unsubscribeAllChannels(c, true, false)
		n.unsubscribeAllPatterns(c, false)
	}
	c.ps = nil
	c.flags &^= flagPubSub
}

// publish delivers message to the subscribers of channel (and, unless
// shard, of the patterns matching it) and returns how many deliveries it
// made. Output goes into the receivers' buffers and is sent at the end of
// the event.
func (n *Node) publish(channel, message string, shard bool) int64 {
	var receivers int64
	server, kind := n.pubsub.channels, "message"
	if shard {
		server, kind = n.pubsub.shardChannels, "smessage"
	}
	if subs := server[channel]; subs != nil {
		subs.each(func(r *client) {
			receivers++
			if !n.canReceive(r) {
				return
			}
			replyPubSubHeader(r, 3, kind)
			r.w.BulkString(channel)
			r.w.BulkString(message)
			n.delivered(r)
		})
	}
	if shard || len(n.pubsub.patterns) == 0 {
		return receivers
	}
	n.pubsub.patternOrder.each(func(pat string) {
		if !glob.Match(pat, channel) {
			return
		}
		n.pubsub.patterns[pat].each(func(r *client) {
			receivers++
			if !n.canReceive(r) {
				return
			}
			replyPubSubHeader(r, 4, "pmessage")
			r.w.BulkString(pat)
			r.w.BulkString(channel)
			r.w.BulkString(message)
			n.delivered(r)
		})
	})
	return receivers
}

// canReceive reports whether output may still be added for r (Redis's
// prepareClientToWrite): not for a client on its way out.
func (n *Node) canReceive(r *client) bool {
	return !r.freed && r.flags&(flagCloseAfterReply|flagCloseASAP) == 0
}

// delivered schedules r's output and applies its output buffer limits.
func (n *Node) delivered(r *client) {
	n.markPending(r)
	n.checkOutputLimits(r, true)
}

// publishKeyspaceEvent publishes a keyspace notification, as Redis's
// notifyKeyspaceEvent: "__keyspace@<db>__:<key>" with the event as the
// message (K), and "__keyevent@<db>__:<event>" with the key (E). The caller
// checked that notify-keyspace-events enables the class.
func (n *Node) publishKeyspaceEvent(class int, event, key string, db int) {
	if len(n.pubsub.channels) == 0 && len(n.pubsub.patterns) == 0 {
		return
	}
	flags := n.cfg.NotifyKeyspaceEvents
	dbs := strconv.Itoa(db)
	if flags&NotifyKeyspace != 0 {
		n.publish("__keyspace@"+dbs+"__:"+key, event, false)
	}
	if flags&NotifyKeyevent != 0 {
		n.publish("__keyevent@"+dbs+"__:"+event, key, false)
	}
}

// Output buffer limits (client-output-buffer-limit). Only clients of the
// pubsub class are checked: normal clients have no limit by default and
// replicas belong to the replication layer.

// outputClass returns c's client-output-buffer-limit class, or -1 when
// its limits are not enforced here.
func (n *Node) obufClass(c *client) int {
	if c.flags&(flagMaster|flagReplica) == 0 && c.flags&flagPubSub != 0 {
		return ClassPubSub
	}
	return -1
}

// checkOutputLimits closes c when its pending output (held by the runtime
// plus produced during this event) is over the hard limit of its class, or
// has been over the soft limit for more than the soft seconds. async
// defers the close to the end of the event (the client may be in use).
// It reports whether c is being closed.
func (n *Node) checkOutputLimits(c *client, async bool) bool {
	class := n.obufClass(c)
	if class < 0 || c.freed || c.flags&flagCloseASAP != 0 || c.ps == nil {
		return false
	}
	lim := n.cfg.ClientOutputLimits[class]
	used := int64(c.pendingOut + c.w.Len())
	hard := lim.Hard > 0 && used >= lim.Hard
	soft := lim.Soft > 0 && used >= lim.Soft
	if soft {
		now := n.ms / 1000
		if c.ps.softLimitSince == 0 {
			c.ps.softLimitSince = now
			soft = false
		} else if now-c.ps.softLimitSince <= lim.SoftSeconds {
			soft = false
		}
	} else {
		c.ps.softLimitSince = 0
	}
	if !hard && !soft {
		return false
	}
	info := n.clientInfoString(c)
	n.stats.ClientObufLimitDisc++
	if async {
		n.closeASAP(c)
		n.logf(LogWarning, "Client %s scheduled to be closed ASAP for overcoming of output buffer limits.", info)
	} else {
		c.w.Reset()
		n.freeClient(c)
		n.logf(LogWarning, "Client %s closed for overcoming of output buffer limits.", info)
	}
	return true
}

// cronOutputLimits is the clientsCron part of output buffer limits: it
// refreshes what the runtime still holds for c and checks the limits.
func (n *Node) cronOutputLimits(c *client) bool {
	if n.obufClass(c) < 0 {
		return false
	}
	if c.pendingOut > 0 {
		c.pendingOut = n.rt.Send(c.conn, nil)
	}
	return n.checkOutputLimits(c, false)
}

// closeASAP schedules c to be closed at the end of the event, without its
// pending output (Redis's freeClientAsync).
func (n *Node) closeASAP(c *client) {
	c.flags |= flagCloseASAP
	n.markPending(c)
}

// Commands.

func cmdSubscribe(n *Node, c *client) {
	for _, a := range c.args[1:] {
		n.subscribeChannel(c, string(a), false)
	}
	c.flags |= flagPubSub
}

func cmdSSubscribe(n *Node, c *client) {
	if c.flags&flagInExec != 0 {
		n.replyError(c, "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")
		return
	}
	for _, a := range c.args[1:] {
		n.subscribeChannel(c, string(a), true)
	}
	c.flags |= flagPubSub
}

func cmdPSubscribe(n *Node, c *client) {
	for _, a := range c.args[1:] {
		n.subscribePattern(c, string(a))
	}
	c.flags |= flagPubSub
}

func cmdUnsubscribe(n *Node, c *client) { n.unsubscribeCmd(c, false) }

func cmdSUnsubscribe(n *Node, c *client) { n.unsubscribeCmd(c, true) }

func (n *Node) unsubscribeCmd(c *client, shard bool) {
	if len(c.args) == 1 {
		n.unsubscribeAllChannels(c, shard, true)
	} else {
		for _, a := range c.args[1:] {
			n.unsubscribeChannel(c, string(a), shard, true)
		}
	}
	leavePubSubIfIdle(c)
}

func cmdPUnsubscribe(n *Node, c *client) {
	if len(c.args) == 1 {
		n.unsubscribeAllPatterns(c, true)
	} else {
		for _, a := range c.args[1:] {
			n.unsubscribePattern(c, string(a), true)
		}
	}
	leavePubSubIfIdle(c)
}

func cmdPublish(n *Node, c *client) {
	receivers := n.publish(string(c.args[1]), string(c.args[2]), false)
	// Replicas deliver the message to their own subscribers: PUBLISH is
	// propagated although it changes no data (forceCommandPropagation).
	c.forceRepl = true
	c.int(receivers)
}

func cmdSPublish(n *Node, c *client) {
	receivers := n.publish(string(c.args[1]), string(c.args[2]), true)
	c.forceRepl = true
	c.int(receivers)
}

// pubsubSyntaxError is Redis's addReplySubcommandSyntaxError.
func (n *Node) subcommandSyntaxError(c *client) {
	n.replyErrorf(c, "ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.",
		truncate(string(c.args[1]), 128), upper(string(c.args[0])))
}

func upper(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if ch >= 'a' && ch <= 'z' {
			b[i] = ch - ('a' - 'A')
		}
	}
	return string(b)
}

func cmdPubsubChannels(n *Node, c *client) { n.replyChannelList(c, n.pubsub.channels) }

func cmdPubsubShardChannels(n *Node, c *client) { n.replyChannelList(c, n.pubsub.shardChannels) }

func (n *Node) replyChannelList(c *client, channels map[string]*ordered[*client]) {
	if len(c.args) > 3 {
		n.subcommandSyntaxError(c)
		return
	}
	var out []string
	for ch := range channels {
		if len(c.args) == 2 || glob.Match(string(c.args[2]), ch) {
			out = append(out, ch)
		}
	}
	sort.Strings(out)
	c.w.BulkStrings(out)
}

func cmdPubsubNumsub(n *Node, c *client) { n.replyNumsub(c, n.pubsub.channels) }

func cmdPubsubShardNumsub(n *Node, c *client) { n.replyNumsub(c, n.pubsub.shardChannels) }

func (n *Node) replyNumsub(c *client, channels map[string]*ordered[*client]) {
	c.w.Array(2 * (len(c.args) - 2))
	for _, a := range c.args[2:] {
		c.bulk(a)
		c.int(int64(channels[bs(a)].len()))
	}
}

func cmdPubsubNumpat(n *Node, c *client) { c.int(int64(len(n.pubsub.patterns))) }

func cmdPubsubHelp(n *Node, c *client) {
	n.replyHelp(c, "PUBSUB", []string{
		"CHANNELS [<pattern>]",
		"    Return the currently active channels matching a <pattern> (default: '*').",
		"NUMPAT",
		"    Return number of subscriptions to patterns.",
		"NUMSUB [<channel> ...]",
		"    Return the number of subscribers for the specified channels, excluding",
		"    pattern subscriptions(default: no channels).",
		"SHARDCHANNELS [<pattern>]",
		"    Return the currently active shard level channels matching a <pattern> (default: '*').",
		"SHARDNUMSUB [<shardchannel> ...]",
		"    Return the number of subscribers for the specified shard level channel(s)",
	})
}

func pubsubDocs(summary, since, complexity, syntax string) Docs {
	return Docs{Summary: summary, Since: since, Group: "pubsub", Complexity: complexity, Syntax: syntax}
}

func init() {
	const sub = CmdPubSub | CmdNoScript | CmdLoading | CmdStale | CmdSentinelLike
	const shardSub = CmdPubSub | CmdNoScript | CmdLoading | CmdStale
	const info = CmdPubSub | CmdLoading | CmdStale
	notKey := func(last int) []KeySpec {
		return []KeySpec{{Flags: []string{"NOT_KEY"}, BeginIndex: 1, LastKey: last, Step: 1}}
	}
	register(
		&Command{Name: "subscribe", Arity: -2, Flags: sub, Proc: cmdSubscribe,
			Docs: pubsubDocs("Listen for messages published to the given channels", "2.0.0", "O(N) where N is the number of channels to subscribe to.", "channel [channel ...]")},
		&Command{Name: "unsubscribe", Arity: -1, Flags: sub, Proc: cmdUnsubscribe,
			Docs: pubsubDocs("Stop listening for messages posted to the given channels", "2.0.0", "O(N) where N is the number of clients already subscribed to a channel.", "[channel [channel ...]]")},
		&Command{Name: "psubscribe", Arity: -2, Flags: sub, Proc: cmdPSubscribe,
			Docs: pubsubDocs("Listen for messages published to channels matching the given patterns", "2.0.0", "O(N) where N is the number of patterns the client is already subscribed to.", "pattern:pattern [pattern:pattern ...]")},
		&Command{Name: "punsubscribe", Arity: -1, Flags: sub, Proc: cmdPUnsubscribe,
			Docs: pubsubDocs("Stop listening for messages posted to channels matching the given patterns", "2.0.0", "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).", "[pattern:pattern [pattern:pattern ...]]")},
		&Command{Name: "publish", Arity: 3, Flags: CmdPubSub | CmdLoading | CmdStale | CmdFast | CmdMayReplicate | CmdSentinelLike, Proc: cmdPublish,
			Docs: pubsubDocs("Post a message to a channel", "2.0.0", "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).", "channel message")},
		&Command{Name: "ssubscribe", Arity: -2, Flags: shardSub, Proc: cmdSSubscribe, FirstKey: 1, LastKey: -1, Step: 1, Keys: notKey(-1),
			Docs: pubsubDocs("Listen for messages published to the given shard channels", "7.0.0", "O(N) where N is the number of shard channels to subscribe to.", "shardchannel [shardchannel ...]")},
		&Command{Name: "sunsubscribe", Arity: -1, Flags: shardSub, Proc: cmdSUnsubscribe, FirstKey: 1, LastKey: -1, Step: 1, Keys: notKey(-1),
			Docs: pubsubDocs("Stop listening for messages posted to the given shard channels", "7.0.0", "O(N) where N is the number of clients already subscribed to a shard channel.", "[shardchannel [shardchannel ...]]")},
		&Command{Name: "spublish", Arity: 3, Flags: CmdPubSub | CmdLoading | CmdStale | CmdFast | CmdMayReplicate, Proc: cmdSPublish, FirstKey: 1, LastKey: 1, Step: 1, Keys: notKey(0),
			Docs: pubsubDocs("Post a message to a shard channel", "7.0.0", "O(N) where N is the number of clients subscribed to the receiving shard channel.", "shardchannel message")},
		&Command{Name: "pubsub", Arity: -2, Docs: pubsubDocs("A container for Pub/Sub commands", "2.8.0", "Depends on subcommand.", ""),
			Sub: map[string]*Command{
				"channels": {Name: "channels", Arity: -2, Flags: info, Proc: cmdPubsubChannels,
					Docs: pubsubDocs("List active channels", "2.8.0", "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)", "[pattern:pattern]")},
				"numsub": {Name: "numsub", Arity: -2, Flags: info, Proc: cmdPubsubNumsub,
					Docs: pubsubDocs("Get the count of subscribers for channels", "2.8.0", "O(N) for the NUMSUB subcommand, where N is the number of requested channels", "[channel [channel ...]]")},
				"numpat": {Name: "numpat", Arity: 2, Flags: info, Proc: cmdPubsubNumpat,
					Docs: pubsubDocs("Get the count of unique patterns pattern subscriptions", "2.8.0", "O(1)", "")},
				"shardchannels": {Name: "shardchannels", Arity: -2, Flags: info, Proc: cmdPubsubShardChannels,
					Docs: pubsubDocs("List active shard channels", "7.0.0", "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).", "[pattern:pattern]")},
				"shardnumsub": {Name: "shardnumsub", Arity: -2, Flags: info, Proc: cmdPubsubShardNumsub,
					Docs: pubsubDocs("Get the count of subscribers for shard channels", "7.0.0", "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels", "[shardchannel [shardchannel ...]]")},
				"help": {Name: "help", Arity: 2, Flags: CmdLoading | CmdStale, Proc: cmdPubsubHelp,
					Docs: pubsubDocs("Show helpful text about the different subcommands", "6.2.0", "O(1)", "")},
			}},
	)
}

// pubsubChannelCount, pubsubPatternCount and pubsubShardChannelCount are
// INFO's pubsub_channels, pubsub_patterns and pubsubshard_channels.
func (n *Node) pubsubChannelCount() int      { return len(n.pubsub.channels) }
func (n *Node) pubsubPatternCount() int      { return len(n.pubsub.patterns) }
func (n *Node) pubsubShardChannelCount() int { return len(n.pubsub.shardChannels) }
