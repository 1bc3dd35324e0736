// The programs allocate with mimalloc (Debian's libmimalloc): the generator builds and frees
// hundreds of small expression nodes, strings and sets per kernel, and glibc's malloc was about a
// third of its time (callgrind, bench/generator_benchmark.cpp). This header replaces every
// operator new and delete; linking the library also takes over malloc and free. It is compiled
// into each executable (not the core library) so that the replacement is certain to be linked.
#include <mimalloc-new-delete.h>
