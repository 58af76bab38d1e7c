package unixcrypt

import "testing"

func benchVerify(b *testing.B, stored string) {
	b.Helper()
	for b.Loop() {
		Verify("secret", stored)
	}
}

func BenchmarkVerifyDES(b *testing.B) { benchVerify(b, "abNANd1rDfiNc") }
func BenchmarkVerifyMD5(b *testing.B) { benchVerify(b, "$1$saltsalt$9xy1btjgzLYfb7hivXtC//") }
func BenchmarkVerifySHA256(b *testing.B) {
	benchVerify(b, "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5")
}
func BenchmarkVerifySHA512(b *testing.B) {
	benchVerify(b, "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1")
}
func BenchmarkVerifyBcrypt4(b *testing.B) {
	benchVerify(b, "$2b$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW")
}
func BenchmarkVerifyYescrypt(b *testing.B) {
	benchVerify(b, "$y$j9T$abcdefghijklmnop$3dL1LkYnZM.OVXuVdnnaKVDlLYT92dRwOzDZ5XiVCe.")
}
