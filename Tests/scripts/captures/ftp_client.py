#!/usr/bin/python3
"""FTP client for Tests/scripts/record-captures.sh: passive-mode login, RETR of one file, QUIT.

  ftp_client.py HOST PORT USER PASSWORD REMOTE_NAME LOCAL_PATH
Prints the number of bytes received.
"""
import ftplib
import sys


def main(argv):
    if len(argv) != 6:
        sys.exit(__doc__)
    host, port, user, password, remote, local = argv[0], int(argv[1]), argv[2], argv[3], argv[4], argv[5]
    ftp = ftplib.FTP()
    ftp.connect(host, port, timeout=10)
    ftp.login(user, password)
    ftp.set_pasv(True)
    with open(local, "wb") as f:
        ftp.retrbinary("RETR " + remote, f.write)  # TYPE I, PASV, data connection, RETR
        size = f.tell()
    ftp.quit()
    print("received=%d" % size)


if __name__ == "__main__":
    main(sys.argv[1:])
