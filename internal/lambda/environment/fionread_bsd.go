//go:build unix && !linux

package environment

// fionread is the BSD ioctl _IOR('f', 127, int) that counts unread bytes in
// a pipe (golang.org/x/sys does not name it for every BSD).
const fionread = 0x4004667f
