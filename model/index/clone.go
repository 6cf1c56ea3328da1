package index

import "slices"

// Clone returns a deep copy of t with the same shape, so that every later
// operation visits the same number of nodes as it would on t. The race
// explorer clones a whole simulated kernel at each branch of its search.
func (t *RBTree[V]) Clone() RBTree[V] {
	c := *t
	c.chunks = make([][]rbNode[V], len(t.chunks))
	for i, ch := range t.chunks {
		c.chunks[i] = slices.Clone(ch)
	}
	return c
}

// Clone returns a deep copy of r with the same shape.
func (r *Radix[V]) Clone() Radix[V] {
	c := Radix[V]{height: r.height, head: r.head, headOK: r.headOK, n: r.n, gen: r.gen}
	if r.rootLeaf != nil {
		c.rootLeaf = cloneLeaf(r.rootLeaf)
	}
	if r.rootInner != nil {
		c.rootInner = cloneInner(r.rootInner)
	}
	return c
}

func cloneLeaf[V any](l *radixLeaf[V]) *radixLeaf[V] {
	m := new(radixLeaf[V])
	*m = *l
	return m
}

func cloneInner[V any](n *radixInner[V]) *radixInner[V] {
	m := &radixInner[V]{present: n.present, count: n.count}
	for i := range n.nodes {
		if n.nodes[i] != nil {
			m.nodes[i] = cloneInner(n.nodes[i])
		}
		if n.leaves[i] != nil {
			m.leaves[i] = cloneLeaf(n.leaves[i])
		}
	}
	return m
}
