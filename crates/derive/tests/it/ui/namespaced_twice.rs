use kubeset_derive::CustomResource;

#[derive(CustomResource)]
#[kubeset(group = "example.com", version = "v1", kind = "Foo", namespaced)]
#[kubeset(namespaced)]
pub struct FooSpec {
    pub size: u32,
}

fn main() {}
