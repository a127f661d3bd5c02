use kubeset_derive::CustomResource;

#[derive(CustomResource)]
#[kubeset(group = "example", version = "v1", kind = "Foo")]
pub struct FooSpec {
    pub size: u32,
}

fn main() {}
