package tiger

// sboxes are Tiger's S-boxes. They are not typed in: they are derived exactly
// as the designers derived them (the reference "gen" program): start from
// identity columns, then for 5 passes swap bytes column by column, driven by a
// Tiger state that is repeatedly compressed (with the S-boxes being built)
// over the 64-byte string below. The package tests pin known entries and the
// published digests. Computed once at package initialisation, never written
// afterwards.
var sboxes = generateSBoxes()

const sboxSeed = "Tiger - A Fast New Hash Function, by Ross Anderson and Eli Biham"

func generateSBoxes() table {
	var t table
	for i := range t {
		b := uint64(i & 255)
		t[i] = b * 0x0101010101010101
	}
	state := [3]uint64{initA, initB, initC}
	abc := 2
	for pass := 0; pass < 5; pass++ {
		for i := 0; i < 256; i++ {
			for sb := 0; sb < 1024; sb += 256 {
				abc++
				if abc == 3 {
					abc = 0
					compress(&t, &state[0], &state[1], &state[2], []byte(sboxSeed))
				}
				for col := uint(0); col < 8; col++ {
					shift := col * 8
					j := sb + int(byte(state[abc]>>shift))
					bi := byte(t[sb+i] >> shift)
					bj := byte(t[j] >> shift)
					mask := ^(uint64(0xff) << shift)
					t[sb+i] = t[sb+i]&mask | uint64(bj)<<shift
					t[j] = t[j]&mask | uint64(bi)<<shift
				}
			}
		}
	}
	return t
}
