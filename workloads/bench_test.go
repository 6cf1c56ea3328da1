package workloads

import "testing"

func BenchmarkFill(b *testing.B) {
	for _, name := range ContentNames() {
		b.Run("data="+name, func(b *testing.B) {
			c, err := NewContent(name, 1)
			if err != nil {
				b.Fatal(err)
			}
			dst := make([]byte, PageSize)
			b.SetBytes(PageSize)
			b.ReportAllocs()
			var page uint64
			for b.Loop() {
				c.Fill(dst, page, 1)
				page++
			}
		})
	}
}
