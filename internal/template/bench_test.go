package template

import "testing"

// BenchmarkLoad measures loading each fixture, which `nimbus up` does on
// start and on every template change.
func BenchmarkLoad(b *testing.B) {
	for _, fixture := range []string{"chat", "sam-web", "serverless", "cdk-ws"} {
		b.Run(fixture, func(b *testing.B) {
			opts := Options{WorkDir: b.TempDir(), Env: func(string) (string, bool) { return "", false }}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Load("testdata/"+fixture, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
