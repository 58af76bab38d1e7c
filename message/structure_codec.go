package message

import (
	"encoding/json"
	"fmt"
)

// nodeJSON is the serialised form of a Node, envelopes of encapsulated
// messages included.
type nodeJSON struct {
	S, B, E, L int64
	T, U       string
	P          []Param    `json:",omitempty"`
	ID         string     `json:",omitempty"`
	Desc       string     `json:",omitempty"`
	Enc        string     `json:",omitempty"`
	MD5        string     `json:",omitempty"`
	Disp       string     `json:",omitempty"`
	DP         []Param    `json:",omitempty"`
	Lang       []string   `json:",omitempty"`
	Loc        string     `json:",omitempty"`
	Parts      []nodeJSON `json:",omitempty"`
	Msg        *nodeJSON  `json:",omitempty"`
	Env        string     `json:",omitempty"`
}

func toJSON(n *Node) nodeJSON {
	j := nodeJSON{S: n.Start, B: n.BodyStart, E: n.End, L: n.Lines, T: n.Type, U: n.Subtype, P: n.Params,
		ID: n.ID, Desc: n.Description, Enc: n.Encoding, MD5: n.MD5, Disp: n.Disposition, DP: n.DispParams,
		Lang: n.Language, Loc: n.Location, Env: n.envelope}
	for _, p := range n.Parts {
		j.Parts = append(j.Parts, toJSON(p))
	}
	if n.Message != nil {
		m := toJSON(n.Message)
		j.Msg = &m
	}
	return j
}

func fromJSON(j *nodeJSON) *Node {
	n := &Node{Start: j.S, BodyStart: j.B, End: j.E, Lines: j.L, Type: j.T, Subtype: j.U, Params: j.P,
		ID: j.ID, Description: j.Desc, Encoding: j.Enc, MD5: j.MD5, Disposition: j.Disp, DispParams: j.DP,
		Language: j.Lang, Location: j.Loc, envelope: j.Env}
	for i := range j.Parts {
		n.Parts = append(n.Parts, fromJSON(&j.Parts[i]))
	}
	if j.Msg != nil {
		n.Message = fromJSON(j.Msg)
	}
	return n
}

// EncodeNode serialises a tree for a byte cache (the query cache keeps the
// trees of big messages, which are immutable per physmessage).
func EncodeNode(n *Node) []byte {
	b, err := json.Marshal(toJSON(n))
	if err != nil {
		panic(fmt.Sprintf("message: encode node: %v", err)) // strings and numbers only
	}
	return b
}

// DecodeNode reads what EncodeNode wrote.
func DecodeNode(b []byte) (*Node, error) {
	var j nodeJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("message: decode node: %w", err)
	}
	return fromJSON(&j), nil
}
