package imap4

import "testing"

func TestFetchResponseNames(t *testing.T) {
	t.Parallel()
	cmd, err := ParseCommand(`a FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (Date "X(Y)" From)] BODY[]<512.100> BODY[1.2.TEXT] BINARY.PEEK[1.2]<0.10> BINARY.SIZE[3] BINARY[] RFC822.PEEK MODSEQ BODY BODYSTRUCTURE)`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"FLAGS", `BODY[HEADER.FIELDS (Date "X(Y)" From)]`, "BODY[]<512>", "BODY[1.2.TEXT]", "BINARY[1.2]<0>", "BINARY.SIZE[3]", "BINARY[]", "RFC822", "MODSEQ", "BODY", "BODYSTRUCTURE"}
	items := cmd.Args.(*FetchArgs).Items
	if len(items) != len(want) {
		t.Fatalf("%d items", len(items))
	}
	for i, it := range items {
		if got := it.ResponseName(); got != want[i] {
			t.Errorf("item %d: %q want %q", i, got, want[i])
		}
	}
}
