package nimbus

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// firstAPIPort is where APIs' own ports start when the config names none.
const firstAPIPort = 3000

// portAllocator hands out API and site ports: the configured one when set,
// otherwise the next free port from 3000 upward in template order. Ports
// already held by this Nimbus are skipped, and a port that another program
// holds is skipped too, so a second Nimbus does not fail to start.
type portAllocator struct {
	host string
	next int
	used map[int]bool
	// ephemeral gives every unconfigured API a kernel-chosen port, as tests
	// that run the edge on port 0 want.
	ephemeral bool
}

func newPortAllocator(host string, ephemeral bool) *portAllocator {
	return &portAllocator{host: host, next: firstAPIPort, used: map[int]bool{}, ephemeral: ephemeral}
}

// listen opens the wanted port, or the next free one when want is 0.
func (p *portAllocator) listen(want int) (net.Listener, error) {
	if want != 0 {
		ln, err := net.Listen("tcp", net.JoinHostPort(p.host, strconv.Itoa(want)))
		if err != nil {
			return nil, fmt.Errorf("port %d: %w", want, err)
		}
		p.used[want] = true
		return ln, nil
	}
	if p.ephemeral {
		return net.Listen("tcp", net.JoinHostPort(p.host, "0"))
	}
	for port := p.next; port < 65536; port++ {
		if p.used[port] {
			continue
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(p.host, strconv.Itoa(port)))
		if err != nil {
			if errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, syscall.EACCES) {
				continue
			}
			return nil, err
		}
		p.used[port] = true
		p.next = port + 1
		return ln, nil
	}
	return nil, errors.New("no free port from 3000 upward")
}

// hostPort is host:port as clients write it in URLs.
func hostPort(host string, port int) string {
	return net.JoinHostPort(displayHost(host), strconv.Itoa(port))
}

func portOf(addr net.Addr) int {
	if a, ok := addr.(*net.TCPAddr); ok {
		return a.Port
	}
	return 0
}
