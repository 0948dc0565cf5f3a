// The check catalogue: stable ids (never renumbered), what each check is about, its default severity, the rule it
// comes from, and what to do about a finding. Profiles decide which checks are in force and which provisions they
// cite; this table holds what does not depend on the profile.

public struct CheckDefinition {
    public let id: String
    public let area: Area
    public let title: String
    public let severity: Severity          // severity of a failure unless the profile overrides it
    public let rule: String                // the rule in one line (CHECKS.md)
    public let remediation: String
}

public enum CheckCatalog {
    public static let all: [CheckDefinition] = [
        CheckDefinition(id: "CRED-01", area: .credentials, title: "No account without a password", severity: .critical,
                        rule: "empty password on a login-capable or uid-0 account fails; locked accounts pass",
                        remediation: "Lock the account (`passwd -l`) or have a unique password set at provisioning or first boot."),
        CheckDefinition(id: "CRED-02", area: .credentials, title: "No known default password", severity: .critical,
                        rule: "crypt(candidate, salt) equal to the shipped hash fails (candidates: profile lists, vendor defaults, account and vendor/model names)",
                        remediation: "Do not ship a password: generate a unique one per unit at manufacture, or force the user to set one at first login."),
        CheckDefinition(id: "CRED-03", area: .credentials, title: "No password hash baked into the image", severity: .high,
                        rule: "a usable hash in the image is the same on every unit unless the profile declares per-unit provisioning",
                        remediation: "Ship accounts locked and provision a per-unit password at manufacture; declare it in the profile (credentials.per_unit_provisioning)."),
        CheckDefinition(id: "CRED-04", area: .credentials, title: "No password derived from MAC, serial or hostname", severity: .critical,
                        rule: "a password equal to a derivation (full, last 4–8 characters, case variants) of a MAC address, the serial or the hostname fails",
                        remediation: "Generate per-unit passwords from a secret (a keyed hash or a hardware RNG at manufacture), never from public identifiers."),
        CheckDefinition(id: "CRED-05", area: .credentials, title: "Password hashes use a strong scheme", severity: .medium,
                        rule: "DES crypt and MD5-crypt ($1$) fail; $5$, $6$, $y$, $2b$ pass",
                        remediation: "Hash with yescrypt ($y$) or SHA-512-crypt ($6$): set ENCRYPT_METHOD / the BusyBox and PAM hash method."),
        CheckDefinition(id: "CRED-06", area: .credentials, title: "No SSH host private key in the image", severity: .high,
                        rule: "a private host key in the image is shared by every unit; it must be generated at first boot",
                        remediation: "Remove the host keys from the image and generate them on first boot (dropbear -R, ssh-keygen -A)."),
        CheckDefinition(id: "CRED-07", area: .credentials, title: "No other private key in the image", severity: .high,
                        rule: "a PEM private key in the image is shared by every unit",
                        remediation: "Provision per-device keys at manufacture or first boot (ideally in a secure element), never in the image."),
        CheckDefinition(id: "CRED-08", area: .credentials, title: "No pre-installed authorized_keys", severity: .high,
                        rule: "a non-empty authorized_keys in a factory image is a backdoor unless the profile allows it",
                        remediation: "Remove vendor keys from authorized_keys; if remote support access is required, declare it and make it opt-in."),
        CheckDefinition(id: "CRED-09", area: .credentials, title: "SSH refuses empty passwords and root password logins", severity: .high,
                        rule: "PermitEmptyPasswords yes / dropbear -B fail; root password login warns",
                        remediation: "Set PermitEmptyPasswords no and PermitRootLogin prohibit-password; run dropbear without -B and with -g or -w."),
        CheckDefinition(id: "CRED-10", area: .credentials, title: "No credentials sent in plaintext (capture)", severity: .high,
                        rule: "in a capture: a Telnet login, FTP USER/PASS or HTTP Basic credentials over plain HTTP fail (the user name is reported, the password never)",
                        remediation: "Authenticate only over encrypted channels (SSH, HTTPS, FTPS/SFTP); remove plaintext login services."),
        CheckDefinition(id: "CRED-11", area: .credentials, title: "No default web-admin password in configuration", severity: .critical,
                        rule: "a web-admin password in nvram defaults, XML configuration, BusyBox httpd.conf or htpasswd files that is on the default-credential lists or equals the user name fails (crypt hashes tested with crypt(3)); any other stored or empty password warns unless the profile declares per-unit provisioning",
                        remediation: "Ship no web-admin password in the configuration defaults: force the user to set one at first login or provision a unique one per unit at manufacture (and keep it out of the image's nvram defaults and XML configuration)."),
        CheckDefinition(id: "UPD-01", area: .update, title: "An update mechanism is present", severity: .high,
                        rule: "no SWUpdate, RAUC, Mender, opkg, apk, apt or sysupgrade and no declaration of a non-updatable device fails",
                        remediation: "Ship an update client (RAUC, SWUpdate, Mender, or the distribution's package manager) or declare the device non-updatable in the profile."),
        CheckDefinition(id: "UPD-02", area: .update, title: "SWUpdate verifies signed images", severity: .high,
                        rule: "SWUpdate without -k / public-key-file, or with the key file missing, fails",
                        remediation: "Build SWUpdate with CONFIG_SIGNED_IMAGES and start it with -k <public key>; ship the key in the image."),
        CheckDefinition(id: "UPD-03", area: .update, title: "RAUC keyring present and valid", severity: .high,
                        rule: "missing or unreadable [keyring] fails; expired or test certificate warns",
                        remediation: "Point [keyring] path= to your production CA certificate and keep it valid for the support period."),
        CheckDefinition(id: "UPD-04", area: .update, title: "Mender verifies artifact signatures", severity: .high,
                        rule: "no ArtifactVerifyKey(s), or the key file missing, accepts unsigned artifacts",
                        remediation: "Set ArtifactVerifyKey in mender.conf to your signing public key and sign artifacts (mender-artifact sign)."),
        CheckDefinition(id: "UPD-05", area: .update, title: "Package feeds are signature-checked", severity: .high,
                        rule: "opkg without check_signature, apk allow-untrusted, apt trusted=yes / AllowInsecureRepositories fail; apt without Signed-By warns",
                        remediation: "Enable signature checking (opkg option check_signature with keys in /etc/opkg/keys, apk keys, apt Signed-By)."),
        CheckDefinition(id: "UPD-06", area: .update, title: "Update servers use verified TLS", severity: .high,
                        rule: "TLS verification off fails; http:// with unsigned payload fails; http:// with signed payload warns",
                        remediation: "Use https:// update and feed URLs with certificate verification on."),
        CheckDefinition(id: "UPD-07", area: .update, title: "Updates are checked automatically", severity: .medium,
                        rule: "no poll interval, daemon, cron job or timer that checks for updates warns",
                        remediation: "Enable the update client's polling (Mender daemon, SWUpdate suricatta, rauc-hawkbit-updater) or a timer that checks for updates."),
        CheckDefinition(id: "UPD-10", area: .update, title: "Update traffic is protected on the wire (capture)", severity: .high,
                        rule: "in a capture of the device's traffic: a firmware or package download over plain HTTP or TFTP fails; an update endpoint over plain HTTP or TLS below 1.2 fails; update traffic to a host the profile does not declare fails; TLS below 1.2 to other hosts warns",
                        remediation: "Fetch updates and metadata over TLS 1.2 or later with certificate verification, only from the endpoints the profile declares (update.endpoints), and sign the payloads."),
        CheckDefinition(id: "LIFE-01", area: .lifecycle, title: "Machine-readable firmware version", severity: .medium,
                        rule: "no os-release VERSION_ID/IMAGE_VERSION, openwrt_release, /etc/version or /etc/timestamp fails",
                        remediation: "Write VERSION_ID, IMAGE_VERSION and BUILD_ID to /etc/os-release at build time."),
        CheckDefinition(id: "LIFE-02", area: .lifecycle, title: "Support period declared and not over", severity: .high,
                        rule: "no SUPPORT_END and no profile support end fails; past fails; within the warning window warns",
                        remediation: "Declare the last supported day as SUPPORT_END=YYYY-MM-DD in /etc/os-release and publish it."),
        CheckDefinition(id: "LIFE-04", area: .lifecycle, title: "Base OS release still supported upstream", severity: .high,
                        rule: "the base OS release cycle past its end of life fails; vendor support beyond upstream EOL warns (support gap)",
                        remediation: "Move to a supported release of the base distribution, or document how security fixes are backported."),
        CheckDefinition(id: "LIFE-05", area: .lifecycle, title: "Components on supported versions", severity: .high,
                        rule: "a kernel, OpenSSL, BusyBox, Dropbear, OpenSSH, dnsmasq, lighttpd or uClibc version (binary version string, C library file name, /lib/modules, package database) on an end-of-life release cycle fails; a release older than the profile's limit (default 4 years) warns; versions not in the EOL data are reported",
                        remediation: "Update the component to a supported release (kernel LTS, OpenSSL LTS), or document the vendor's backported fixes; keep the versions visible (package database or SBOM)."),
        CheckDefinition(id: "LIFE-06", area: .lifecycle, title: "Component inventory (package database or SBOM)", severity: .medium,
                        rule: "no package database (/usr/lib/opkg/status, /lib/apk/db/installed, /var/lib/dpkg/status) and no SBOM warns",
                        remediation: "Keep the package database in the image, or ship an SBOM (CycloneDX or SPDX, e.g. Yocto's create-spdx, Buildroot's legal-info) under /usr/share/sbom."),
        CheckDefinition(id: "SURF-01", area: .surface, title: "No telnet service", severity: .high,
                        rule: "telnetd started from inittab, init scripts, systemd, inetd or xinetd fails",
                        remediation: "Remove telnetd from the image (BusyBox CONFIG_TELNETD) and its start entries; use SSH with keys."),
        CheckDefinition(id: "SURF-02", area: .surface, title: "Only allowed services listen", severity: .high,
                        rule: "a listener not in the profile's allowed services fails; open UDP amplifiers (19, 53, 123, 161, 1900, 5353, 11211) fail",
                        remediation: "Disable unused services or bind them to loopback; declare the services the product needs in the profile (services.allowed)."),
        CheckDefinition(id: "SURF-04", area: .surface, title: "No plaintext remote-access protocol in use (capture)", severity: .high,
                        rule: "in a capture: a Telnet session or an FTP control connection (not upgraded with AUTH TLS) fails",
                        remediation: "Disable telnetd and FTP servers and clients on the device; use SSH/SFTP or HTTPS."),
        CheckDefinition(id: "DISC-01", area: .disclosure, title: "Vulnerability disclosure contact", severity: .medium,
                        rule: "profile without disclosure contact fails; device exposing none (BUG_REPORT_URL, SUPPORT_URL, security.txt) warns",
                        remediation: "Publish a disclosure policy and contact (RFC 9116 security.txt) and reference it in the profile and os-release."),
        CheckDefinition(id: "DISC-02", area: .disclosure, title: "Published support period", severity: .medium,
                        rule: "profile without support-period URL and end date fails; SUPPORT_END disagreeing with it warns",
                        remediation: "Publish the support end date at a stable URL and keep os-release SUPPORT_END equal to it."),
    ]

    public static func definition(_ id: String) -> CheckDefinition? {
        for d in all where d.id == id { return d }
        return nil
    }
}
