// `baseline sbom IMAGE`: a CycloneDX 1.6 JSON SBOM of the components found in a firmware image or root filesystem.
import ArgumentParser
import BaselineCore
import BaselineOutputs
import Foundation

struct SBOMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sbom",
        abstract: "Write a CycloneDX 1.6 JSON SBOM of an image: base OS, packages (opkg, dpkg, apk) and the kernel, OpenSSL, BusyBox, Dropbear, OpenSSH and dnsmasq versions found in binaries.")

    @Argument(help: "Firmware image (any format `baseline audit` reads) or root filesystem directory.")
    var image: String

    @Option(help: "Name of the firmware in the SBOM metadata (default: the os-release PRETTY_NAME, else the file name).")
    var name: String?

    @Option(help: "Supplier (vendor) name in the SBOM metadata.")
    var supplier: String?

    @OptionGroup var out: OutputFileOptions
    @OptionGroup var limits: ImageLimitOptions

    func run() throws {
        let opened = try openRoot(image, maxImageBytes: limits.maxImageBytes)
        if let why = opened.notARoot { warn(why) }
        let format = opened.format
        let facts = DeviceFacts.gather(opened.fs)
        let subject = CycloneDXRenderer.Subject(
            name: name ?? facts.release.prettyName ?? URL(fileURLWithPath: image).lastPathComponent,
            version: facts.release.firmwareVersion, vendor: supplier)
        let text = CycloneDXRenderer.render(facts, subject: subject, source: image + (format.map { " (\($0))" } ?? ""))
        try emit(text, to: out.output, what: "SBOM")
    }
}
