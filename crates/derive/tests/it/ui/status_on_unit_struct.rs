use kubeset_derive::CustomResource;

#[derive(CustomResource)]
#[kubeset(group = "example.com", version = "v1", kind = "Foo", status = "FooStatus")]
pub struct FooSpec;

pub struct FooStatus;

fn main() {}
