package server

import "net"

// Adopt makes the server accept on a listener bound elsewhere (a protocol
// package's tests bind 127.0.0.1:0; systemd socket activation passes
// descriptors). implicitTLS says whether connections start with a TLS
// handshake, as on tls_port. Call it before Serve.
func (s *Server) Adopt(ln net.Listener, implicitTLS bool) {
	kind := kindPlain
	if implicitTLS {
		kind = kindTLS
	}
	s.listeners = append(s.listeners, boundListener{ln: ln, kind: kind})
}
