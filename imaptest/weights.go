package imaptest

// Cmd is a stress-mode command kind (Dovecot imaptest's states).
type Cmd int

// Stress commands, in the order a client's plan walks through them.
const (
	CmdLogin   Cmd = iota // LOGIN
	CmdList               // LIST "" *
	CmdStatus             // STATUS box (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)
	CmdSelect             // SELECT box
	CmdFetch              // FETCH set (UID FLAGS RFC822.SIZE BODYSTRUCTURE)
	CmdFetch2             // UID FETCH uid (BODY.PEEK[]), checked by hash
	CmdStore              // STORE set ±FLAGS (random flags)
	CmdDelete             // STORE set +FLAGS \Deleted
	CmdExpunge            // EXPUNGE
	CmdAppend             // APPEND a message from the mbox
	CmdNoop               // NOOP
	CmdIdle               // IDLE ... DONE
	CmdLogout             // LOGOUT
	numCmds
)

var cmdNames = [numCmds]string{
	"login", "list", "status", "select", "fetch", "fetch2", "store",
	"delete", "expunge", "append", "noop", "idle", "logout",
}

func (c Cmd) String() string { return cmdNames[c] }

// Weights is each command's probability in percent (0-100) of being done
// when the client's plan reaches it.
type Weights [numCmds]int

// DefaultWeights are Dovecot imaptest's defaults (src/client-state.c).
func DefaultWeights() Weights {
	var w Weights
	w[CmdLogin] = 100
	w[CmdList] = 50
	w[CmdStatus] = 50
	w[CmdSelect] = 100
	w[CmdFetch] = 100
	w[CmdFetch2] = 100
	w[CmdStore] = 50
	w[CmdDelete] = 100
	w[CmdExpunge] = 100
	w[CmdAppend] = 100
	w[CmdLogout] = 100
	return w
}

func weightKey(key string) (Cmd, bool) {
	for i, n := range cmdNames {
		if n == key {
			return Cmd(i), true
		}
	}
	return 0, false
}
