// libssh (the system C library) for `baseline scan`: banners, host keys, authentication, exec, SFTP and SCP.
#include <libssh/libssh.h>
#include <libssh/sftp.h>
