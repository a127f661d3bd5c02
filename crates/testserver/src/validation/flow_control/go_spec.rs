//! The value of a mandatory object's `spec of '...' must equal the fixed value` error: the
//! internal Go spec (`pkg/apis/flowcontrol/types.go`) as `field.Error` prints it, which is
//! `json.Marshal` of the struct (Go field names, every field present, `null` for nil
//! pointers and slices), since internal flowcontrol types marshal without error.

use serde_json::Value;

use crate::validation::BadValue;
use crate::validation::godump::{self, Field, Struct, Ty};

const fn f(go: &'static str, json: &'static str, ty: Ty) -> Field {
    Field::new(go, json, ty)
}

const STRINGS: Ty = Ty::Slice(&Ty::Str);

static NAME: Struct = Struct {
    fields: &[f("Name", "name", Ty::Str)],
};
static SERVICE_ACCOUNT: Struct = Struct {
    fields: &[
        f("Namespace", "namespace", Ty::Str),
        f("Name", "name", Ty::Str),
    ],
};
static SUBJECT: Struct = Struct {
    fields: &[
        f("Kind", "kind", Ty::Str),
        f("User", "user", Ty::Ptr(&Ty::Struct(&NAME))),
        f("Group", "group", Ty::Ptr(&Ty::Struct(&NAME))),
        f(
            "ServiceAccount",
            "serviceAccount",
            Ty::Ptr(&Ty::Struct(&SERVICE_ACCOUNT)),
        ),
    ],
};
static RESOURCE_RULE: Struct = Struct {
    fields: &[
        f("Verbs", "verbs", STRINGS),
        f("APIGroups", "apiGroups", STRINGS),
        f("Resources", "resources", STRINGS),
        f("ClusterScope", "clusterScope", Ty::Bool),
        f("Namespaces", "namespaces", STRINGS),
    ],
};
static NON_RESOURCE_RULE: Struct = Struct {
    fields: &[
        f("Verbs", "verbs", STRINGS),
        f("NonResourceURLs", "nonResourceURLs", STRINGS),
    ],
};
static RULES: Struct = Struct {
    fields: &[
        f("Subjects", "subjects", Ty::Slice(&Ty::Struct(&SUBJECT))),
        f(
            "ResourceRules",
            "resourceRules",
            Ty::Slice(&Ty::Struct(&RESOURCE_RULE)),
        ),
        f(
            "NonResourceRules",
            "nonResourceRules",
            Ty::Slice(&Ty::Struct(&NON_RESOURCE_RULE)),
        ),
    ],
};
static DISTINGUISHER: Struct = Struct {
    fields: &[f("Type", "type", Ty::Str)],
};
/// `flowcontrol.FlowSchemaSpec`.
static FLOW_SCHEMA_SPEC: Struct = Struct {
    fields: &[
        f(
            "PriorityLevelConfiguration",
            "priorityLevelConfiguration",
            Ty::Struct(&NAME),
        ),
        f("MatchingPrecedence", "matchingPrecedence", Ty::Int),
        f(
            "DistinguisherMethod",
            "distinguisherMethod",
            Ty::Ptr(&Ty::Struct(&DISTINGUISHER)),
        ),
        f("Rules", "rules", Ty::Slice(&Ty::Struct(&RULES))),
    ],
};

static QUEUING: Struct = Struct {
    fields: &[
        f("Queues", "queues", Ty::Int),
        f("HandSize", "handSize", Ty::Int),
        f("QueueLengthLimit", "queueLengthLimit", Ty::Int),
    ],
};
static LIMIT_RESPONSE: Struct = Struct {
    fields: &[
        f("Type", "type", Ty::Str),
        f("Queuing", "queuing", Ty::Ptr(&Ty::Struct(&QUEUING))),
    ],
};
static LIMITED: Struct = Struct {
    fields: &[
        f(
            "NominalConcurrencyShares",
            "nominalConcurrencyShares",
            Ty::Int,
        ),
        f(
            "LimitResponse",
            "limitResponse",
            Ty::Struct(&LIMIT_RESPONSE),
        ),
        f("LendablePercent", "lendablePercent", Ty::Ptr(&Ty::Int)),
        f(
            "BorrowingLimitPercent",
            "borrowingLimitPercent",
            Ty::Ptr(&Ty::Int),
        ),
    ],
};
static EXEMPT: Struct = Struct {
    fields: &[
        f(
            "NominalConcurrencyShares",
            "nominalConcurrencyShares",
            Ty::Ptr(&Ty::Int),
        ),
        f("LendablePercent", "lendablePercent", Ty::Ptr(&Ty::Int)),
    ],
};
/// `flowcontrol.PriorityLevelConfigurationSpec`.
static PRIORITY_LEVEL_SPEC: Struct = Struct {
    fields: &[
        f("Type", "type", Ty::Str),
        f("Limited", "limited", Ty::Ptr(&Ty::Struct(&LIMITED))),
        f("Exempt", "exempt", Ty::Ptr(&Ty::Struct(&EXEMPT))),
    ],
};

/// A FlowSchema spec (v1 JSON) as the error prints it.
pub(super) fn flow_schema(spec: &Value) -> BadValue {
    BadValue::Raw(godump::compact(&godump::dump(&FLOW_SCHEMA_SPEC, spec)))
}

/// A PriorityLevelConfiguration spec (v1 JSON) as the error prints it.
pub(super) fn priority_level(spec: &Value) -> BadValue {
    BadValue::Raw(godump::compact(&godump::dump(&PRIORITY_LEVEL_SPEC, spec)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn specs_print_as_go_marshals_the_internal_structs() {
        let fs = json!({"priorityLevelConfiguration": {"name": "exempt"}, "matchingPrecedence": 2,
            "rules": [{"subjects": [{"kind": "Group", "group": {"name": "system:masters"}}],
                "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"],
                    "clusterScope": true, "namespaces": ["*"]}]}]});
        assert_eq!(
            flow_schema(&fs).to_string(),
            r#"{"PriorityLevelConfiguration":{"Name":"exempt"},"MatchingPrecedence":2,"DistinguisherMethod":null,"Rules":[{"Subjects":[{"Kind":"Group","User":null,"Group":{"Name":"system:masters"},"ServiceAccount":null}],"ResourceRules":[{"Verbs":["*"],"APIGroups":["*"],"Resources":["*"],"ClusterScope":true,"Namespaces":["*"]}],"NonResourceRules":null}]}"#
        );
        let pl = json!({"type": "Limited", "limited": {"nominalConcurrencyShares": 6,
            "limitResponse": {"type": "Reject"}, "lendablePercent": 0}});
        assert_eq!(
            priority_level(&pl).to_string(),
            r#"{"Type":"Limited","Limited":{"NominalConcurrencyShares":6,"LimitResponse":{"Type":"Reject","Queuing":null},"LendablePercent":0,"BorrowingLimitPercent":null},"Exempt":null}"#
        );
    }
}
