package timsieve

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParserPutScript parses a PUTSCRIPT with a 16 KiB literal fed in
// 4 KiB reads, as a client upload arrives.
func BenchmarkParserPutScript(b *testing.B) {
	script := strings.Repeat("if header :contains \"subject\" \"x\" { keep; }\r\n", 16<<10/46)
	input := []byte(fmt.Sprintf("PUTSCRIPT \"bench\" {%d+}\r\n%s\r\n", len(script), script))
	p := &Parser{MaxLine: 65536, MaxLiteral: 1 << 20}
	n := 0
	emit := func(Command) bool { n++; return true }
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for off := 0; off < len(input); off += 4096 {
			if err := p.Feed(input[off:min(off+4096, len(input))], emit); err != nil {
				b.Fatal(err)
			}
		}
	}
	if n != b.N {
		b.Fatalf("%d commands for %d iterations", n, b.N)
	}
}
