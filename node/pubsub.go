package node

// resetPubSub leaves every channel and pattern (RESET, and a client that
// goes away).
func (n *Node) resetPubSub(c *client) { c.flags &^= flagPubSub }

// pubsubChannelCount and pubsubPatternCount are INFO's pubsub_channels
// and pubsub_patterns.
func (n *Node) pubsubChannelCount() int { return 0 }
func (n *Node) pubsubPatternCount() int { return 0 }

// pubsubShardChannelCount is INFO's pubsubshard_channels.
func (n *Node) pubsubShardChannelCount() int { return 0 }
