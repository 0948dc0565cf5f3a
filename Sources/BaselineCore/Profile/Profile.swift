// A vendor-health profile after `extends` has been resolved: what the device is expected to satisfy.

public struct DefaultCredential: Equatable {
    public let user: String
    public let password: String
    public let source: String      // list file or profile, for evidence
}

public struct CheckPolicy {
    public var enabled: Bool = true
    public var severity: Severity? = nil
    public var provisions: [String] = []
}

public struct Profile {
    public var id = ""
    public var title = ""
    public var chain: [String] = []            // ids, base first
    public var files: [String] = []            // files read, base first
    public var digest = ""                     // sha256 over the files' bytes, in chain order

    public var vendor: String?
    public var models: [String] = []
    public var keywords: [String] = []         // vendor/model words tried as passwords

    public var supportEnd: CivilDate?
    public var supportEndRaw: String?
    public var supportURL: String?
    public var supportSource: String?          // "file:line" where the support end was declared

    public var disclosureContact: String?
    public var disclosurePolicyURL: String?

    public var credentialLists: [String] = []  // resolved host paths
    public var defaultCredentials: [DefaultCredential] = []
    public var perUnitProvisioning = false
    public var allowAuthorizedKeys = false

    public var updateRequired = true
    public var updateMechanisms: [String] = []
    public var updateEndpoints: [String] = []
    public var updateTestKeys: [String] = []   // SPKI SHA-256 (lower-case hex) of the vendor's test signing keys

    public var allowedServices: [String] = []
    public var factoryFingerprints: [String] = []

    public var eolData: String?                // resolved host path
    public var baseOS: String?                 // EOL product to use when the os-release ID is a vendor's own
    public var supportWarnDays = 180
    public var minSupportYears: Int?
    public var componentMaxAgeYears = 4        // LIFE-05 warns about component releases older than this

    public var checks: [String: CheckPolicy] = [:]
    public var checkOrder: [String] = []

    public func policy(_ id: String) -> CheckPolicy? { checks[id] }
}
