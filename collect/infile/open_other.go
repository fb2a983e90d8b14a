//go:build !unix

package infile

// openNonBlock is 0 where named pipes do not block an open.
const openNonBlock = 0
