use kubeset_derive::CustomResource;

#[derive(CustomResource)]
#[kubeset(group = "example.com", version = "v1", kind = "Foo")]
#[kubeset(scale(spec_replicas_path = ".spec.size", status_replicas_path = ".status.size"))]
pub struct FooSpec {
    pub size: u32,
}

fn main() {}
