// libpcap (the system C library) for `baseline traffic`: pcap/pcapng files and live capture with BPF filters.
#include <pcap/pcap.h>
